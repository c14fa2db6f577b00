package dev.exprbert.optim;

import dev.exprbert.model.NamedParameter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.AdamWOptions;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.OptimizerParamGroup;
import org.bytedeco.pytorch.OptimizerParamGroupVector;
import org.bytedeco.pytorch.OutputArchive;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import dev.exprbert.runtime.HostReads;
import dev.exprbert.runtime.Natives;
import dev.exprbert.runtime.Tensors;

/**
 * LibTorch's own {@code torch::optim::AdamW} (the {@code --optimizer torch-adamw} path): one LibTorch
 * param group per {@link ParamGroup}, the scheduled learning rate written into every group before
 * each step, global-norm clipping with LibTorch's {@code clip_grad_norm_} operations ({@link GradClipping}, which
 * keeps the norm on the device). With a {@link GradientCheck} the gradients are unscaled and checked first, as
 * {@code GradScaler.unscale_} does; a step is skipped only when the check asks for it, at the cost of one host read.
 *
 * <p>LibTorch keeps the moments inside the C++ optimizer and the Java API does not expose them, so
 * {@link #stateTensors()} carries LibTorch's own serialized archive as a uint8 tensor
 * ({@code libtorch_adamw_archive}); resume restores it with {@link #loadStateTensors}.
 */
public final class TorchAdamW implements Optimizer {
  static final String ARCHIVE_KEY = "libtorch_adamw_archive";

  private final List<ParamGroup> groups;
  private final AdamW optimizer;
  private final TensorVector allParameters;
  private final List<Tensor> parameterList;
  private long steps;

  public TorchAdamW(List<ParamGroup> groups, AdamWSettings settings) {
    Natives.init();
    if (groups.isEmpty()) {
      throw new IllegalArgumentException("an optimizer needs at least one parameter group");
    }
    this.groups = List.copyOf(groups);
    List<Tensor> all = new ArrayList<>();
    AdamW built = null;
    for (ParamGroup group : groups) {
      TensorVector params = new TensorVector(group.parameters().stream().map(NamedParameter::tensor).toArray(Tensor[]::new));
      all.addAll(group.parameters().stream().map(NamedParameter::tensor).toList());
      AdamWOptions options = new AdamWOptions(0.0);
      configure(options, settings, group.weightDecay());
      if (built == null) {
        built = new AdamW(params, options);
      } else {
        built.add_param_group(new OptimizerParamGroup(params, options));
      }
    }
    this.optimizer = built;
    this.allParameters = new TensorVector(all.toArray(Tensor[]::new));
    this.parameterList = List.copyOf(all);
  }

  private static void configure(AdamWOptions options, AdamWSettings settings, double weightDecay) {
    // betas() points at a std::tuple<double, double>; tuple_get keeps us independent of its layout.
    DoublePointer betas = options.betas();
    TupleAccess.setBetas(betas, settings.beta1(), settings.beta2());
    options.eps().put(settings.eps());
    options.weight_decay().put(weightDecay);
    options.amsgrad().put(false);
  }

  @Override
  public Tensor step(double lr, double maxGradNorm, GradientCheck check) {
    if (check != null) {
      GradClipping.unscaleAndCheck(parameterList, check.invScale(), check.foundInf());
    }
    Tensor norm = maxGradNorm > 0 ? GradClipping.clipGradNorm(parameterList, maxGradNorm) : null;
    // LibTorch's step cannot read a device flag: skipping needs the flag on the host (GradScaler.step reads it too)
    if (check != null && check.skipNonFinite() && HostReads.toDouble(check.foundInf()) != 0) {
      return norm;
    }
    OptimizerParamGroupVector libGroups = optimizer.param_groups();
    for (long i = 0; i < libGroups.size(); i++) {
      libGroups.get(i).options().set_lr(lr);
    }
    try (Tensor ignored = optimizer.step()) {
      steps++;
    }
    return norm;
  }

  @Override
  public void zeroGrad() {
    optimizer.zero_grad(true);
  }

  @Override
  public long stepCount() {
    return steps;
  }

  @Override
  public Map<String, Tensor> stateTensors() {
    Path tmp = null;
    try (OutputArchive archive = new OutputArchive()) {
      optimizer.save(archive);
      tmp = Files.createTempFile("exprbert-adamw", ".pt");
      archive.save_to(tmp.toString());
      byte[] bytes = Files.readAllBytes(tmp);
      Map<String, Tensor> state = new LinkedHashMap<>();
      state.put(ARCHIVE_KEY, bytesTensor(bytes));
      state.put("step", Tensors.longs(new long[] {steps}, 1));
      return state;
    } catch (IOException e) {
      throw new UncheckedIOException("could not serialize the LibTorch AdamW state", e);
    } finally {
      deleteQuietly(tmp);
    }
  }

  @Override
  public void loadStateTensors(Map<String, Tensor> state) {
    Tensor archiveBytes = state.get(ARCHIVE_KEY);
    Tensor step = state.get("step");
    if (archiveBytes == null || step == null) {
      throw new IllegalArgumentException("torch-adamw state needs '" + ARCHIVE_KEY + "' and 'step', found " + state.keySet()
          + " (was it saved by the fused optimizer? resume with the same --optimizer)");
    }
    Path tmp = null;
    try (InputArchive archive = new InputArchive()) {
      tmp = Files.createTempFile("exprbert-adamw", ".pt");
      Files.write(tmp, toBytes(archiveBytes));
      archive.load_from(tmp.toString());
      optimizer.load(archive);
      steps = Tensors.toLongArray(step)[0];
    } catch (IOException e) {
      throw new UncheckedIOException("could not restore the LibTorch AdamW state", e);
    } finally {
      deleteQuietly(tmp);
    }
  }

  private static Tensor bytesTensor(byte[] bytes) {
    try (TensorOptions options = new TensorOptions(torch.ScalarType.Byte)) {
      Tensor t = Tensors.empty(new long[] {bytes.length}, options);
      new BytePointer(t.data_ptr()).put(bytes);
      return t;
    }
  }

  private static byte[] toBytes(Tensor t) {
    try (Tensor c = t.contiguous()) {
      byte[] out = new byte[(int) c.numel()];
      new BytePointer(c.data_ptr()).get(out);
      return out;
    }
  }

  private static void deleteQuietly(Path p) {
    if (p != null) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException ignored) {
        // a leftover temp file is harmless
      }
    }
  }

  /** Parameter groups as given (for tests and the trainer's logging). */
  public List<ParamGroup> groups() {
    return groups;
  }

  @Override
  public void close() {
    optimizer.close();
    allParameters.close();
  }
}
