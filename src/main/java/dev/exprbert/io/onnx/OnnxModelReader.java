package dev.exprbert.io.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.exprbert.io.onnx.proto.OnnxProto.ModelProto;
import dev.exprbert.io.onnx.proto.OnnxProto.TensorProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads an ONNX file into a {@link ModelProto} and rejects files that protobuf alone would accept:
 * a truncated file can end exactly between two fields and still parse, so a model without a graph
 * or without an opset is reported as truncated or not ONNX rather than passed on.
 */
final class OnnxModelReader {
  /** Protobuf messages are limited to 2 GiB; bigger models use external data, which we refuse. */
  private static final long MAX_INLINE_BYTES = Integer.MAX_VALUE;

  private OnnxModelReader() {}

  static ModelProto read(Path file) {
    long size;
    try {
      size = Files.size(file);
    } catch (IOException e) {
      throw new OnnxImportException("Cannot read ONNX file " + file + ": " + e, e);
    }
    if (size == 0) {
      throw new OnnxImportException("ONNX file " + file + " is empty; expected a serialized onnx.ModelProto");
    }
    if (size > MAX_INLINE_BYTES) {
      throw new OnnxImportException("ONNX file " + file + " is " + size + " bytes; a single protobuf message holds at most "
          + MAX_INLINE_BYTES + " bytes, and models above that keep their weights as external data, which is not supported");
    }
    ModelProto model;
    try {
      // Aliasing lets raw_data ByteStrings point into the file's bytes instead of copying every weight.
      CodedInputStream in = CodedInputStream.newInstance(Files.readAllBytes(file));
      in.enableAliasing(true);
      model = ModelProto.parseFrom(in);
    } catch (InvalidProtocolBufferException e) {
      throw new OnnxImportException("ONNX file " + file + " (" + size + " bytes) is truncated or not an ONNX model: protobuf says '"
          + e.getMessage() + "'", e);
    } catch (IOException e) {
      throw new OnnxImportException("Cannot read ONNX file " + file + ": " + e, e);
    }
    if (!model.hasGraph() || model.getOpsetImportCount() == 0 || model.getIrVersion() <= 0) {
      throw new OnnxImportException("ONNX file " + file + " (" + size + " bytes) is truncated or not an ONNX model: expected ir_version > 0,"
          + " a graph and at least one opset_import, found ir_version=" + model.getIrVersion() + ", graph="
          + (model.hasGraph() ? "present" : "absent") + ", opset_import count=" + model.getOpsetImportCount());
    }
    for (TensorProto t : model.getGraph().getInitializerList()) {
      if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL || t.getExternalDataCount() > 0) {
        String location = t.getExternalDataList().stream()
            .filter(e -> e.getKey().equals("location")).map(e -> e.getValue()).findFirst().orElse("?");
        throw new OnnxImportException("ONNX file " + file + ": initializer '" + t.getName() + "' keeps its data in the external file '"
            + location + "'; external data is not supported. Re-save the model with every tensor inside the .onnx file"
            + " (onnx.save_model(model, path, save_as_external_data=False)), which works for models under 2 GiB");
      }
    }
    return model;
  }
}
