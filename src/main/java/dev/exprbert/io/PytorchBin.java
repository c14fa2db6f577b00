package dev.exprbert.io;

import dev.exprbert.runtime.Natives;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import org.bytedeco.pytorch.ByteVector;
import org.bytedeco.pytorch.GenericDict;
import org.bytedeco.pytorch.GenericDictEntryRef;
import org.bytedeco.pytorch.GenericDictIterator;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Reads a state dict saved by Python's {@code torch.save} (the zip format, PyTorch >= 1.6) through
 * LibTorch's {@code torch::pickle_load}.
 *
 * <p>[note: no code execution] pickle_load runs the TorchScript unpickler
 * (torch/csrc/jit/serialization/unpickler.cpp), not Python's: GLOBAL opcodes resolve only a fixed list
 * (torch._utils._rebuild_tensor_v2, torch.*Storage, collections.OrderedDict, torch.device, builtins.complex,
 * torch.jit._pickle helpers); any other class needs a type resolver, which pickle_load does not pass,
 * so it fails with "Unpickler found unknown type". Nothing from the file is ever called.
 *
 * <p>What it cannot read, and what we then tell the user to convert with the Python one-liner:
 * <ul>
 *   <li>an {@code OrderedDict} at the top, which is what {@code torch.save(model.state_dict())} writes:
 *       the unpickler maps {@code collections.OrderedDict} to None (it expects it only as a tensor's empty
 *       backward-hooks argument), and SETITEMS on None fails (pytorch/pytorch#100741, open). Plain
 *       dicts, which transformers' sharded {@code save_pretrained} writes, load;</li>
 *   <li>the legacy non-zip format (torch < 1.6, and many older Hub checkpoints);</li>
 *   <li>nn.Parameter values (torch._utils._rebuild_parameter), non-CPU storages on a CPU build.</li>
 * </ul>
 * The whole file is copied into native memory once (pickle_load takes a byte vector), so files over
 * 2 GiB are refused; use safetensors for those.
 */
public final class PytorchBin {
  private static final byte[] ZIP_MAGIC = {'P', 'K', 3, 4};

  private PytorchBin() {}

  /**
   * Reads every tensor into new, contiguous CPU tensors that the caller owns, in the dict's order.
   *
   * @throws PytorchBinException when the file is not a loadable zip-format dict of tensors; the
   *     message carries the conversion command
   */
  public static LinkedHashMap<String, Tensor> read(Path file) throws IOException {
    long size = Files.size(file);
    byte[] head = new byte[4];
    int got;
    try (InputStream in = Files.newInputStream(file)) {
      got = in.readNBytes(head, 0, 4);
    }
    if (got < 4 || !java.util.Arrays.equals(head, ZIP_MAGIC)) {
      throw new PytorchBinException(file, "not a zip-format torch.save file (expected the bytes PK\\3\\4 at the start);"
          + " it is probably the legacy format of torch < 1.6, which LibTorch cannot read", null);
    }
    if (size > Integer.MAX_VALUE - 16) {
      throw new PytorchBinException(file, "file of " + size + " bytes is too large to load in one piece (limit 2 GiB)", null);
    }
    Natives.init();
    byte[] bytes = Files.readAllBytes(file);
    LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
    try (ByteVector data = new ByteVector(bytes)) {
      IValue root;
      try {
        root = torch.pickle_load(data);
      } catch (RuntimeException e) {
        throw new PytorchBinException(file, "LibTorch's restricted unpickler could not load it: " + firstLine(e)
            + hint(e), e);
      }
      try (root) {
        if (!root.isGenericDict()) {
          throw new PytorchBinException(file, "expected a dict of tensors (a state dict) at the top, found "
              + root.tagKind().getString(), null);
        }
        GenericDict dict = root.toGenericDict();
        GenericDictIterator end = dict.end();
        for (GenericDictIterator it = dict.begin(); !it.equals(end); it = it.increment()) {
          GenericDictEntryRef entry = it.access();
          IValue key = entry.key();
          IValue value = entry.value();
          if (!key.isString()) {
            throw new PytorchBinException(file, "expected string keys, found a " + key.tagKind().getString() + " key", null);
          }
          String name = key.toStringRef().getString();
          if (!value.isTensor()) {
            throw new PytorchBinException(file, "entry '" + name + "' is a " + value.tagKind().getString()
                + ", expected a tensor", null);
          }
          try (Tensor loaded = value.toTensor()) {
            // Entries may be views into one shared storage (tied weights); give each its own buffer.
            out.put(name, loaded.clone(new MemoryFormatOptional(torch.MemoryFormat.Contiguous)));
          }
        }
      }
      return out;
    } catch (IOException | RuntimeException e) {
      out.values().forEach(Tensor::close);
      throw e;
    }
  }

  /** The Python command that turns this file into model.safetensors beside it. */
  public static String conversionCommand(Path file) {
    Path absolute = file.toAbsolutePath();
    Path target = absolute.resolveSibling("model.safetensors");
    return "python -c \"import torch; from safetensors.torch import save_file; "
        + "sd = torch.load(" + pyString(absolute) + ", map_location='cpu', weights_only=True); "
        + "save_file({k: v.contiguous().clone() for k, v in sd.items()}, " + pyString(target)
        + ", metadata={'format': 'pt'})\"";
  }

  private static String pyString(Path path) {
    return "'" + path.toString().replace("\\", "\\\\").replace("'", "\\'").replace("\"", "\\\"") + "'";
  }

  private static String firstLine(RuntimeException e) {
    String message = String.valueOf(e.getMessage());
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  private static String hint(RuntimeException e) {
    String message = String.valueOf(e.getMessage());
    if (message.contains("GenericDict") || message.contains("OrderedDict")) {
      return " (the top-level object is an OrderedDict, as torch.save(model.state_dict()) writes; LibTorch reads"
          + " only plain dicts, pytorch/pytorch#100741)";
    }
    if (message.contains("unknown type")) {
      return " (the file holds Python objects other than tensors and containers, e.g. nn.Parameter or a module)";
    }
    return "";
  }
}
