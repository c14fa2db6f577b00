package benchmarks.adamw;

import dev.exprbert.optim.AdamWSettings;
import dev.exprbert.optim.FusedAdamW;
import dev.exprbert.model.NamedParameter;
import dev.exprbert.optim.ParamGroup;
import dev.exprbert.kernels.NativeKernels;
import dev.exprbert.runtime.Natives;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.AdamWOptions;
import org.bytedeco.pytorch.OptimizerParamGroup;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Fused CPU AdamW (FusedAdamW) vs LibTorch's torch::optim::AdamW on BERT-shaped parameter sets, in the same
 * run: ms per step (median), GB/s against 28 bytes per fp32 parameter (read p, g, m, v; write p, m, v), and the
 * ratio. Run instructions: benchmarks/README.md. Not a unit test.
 */
public final class AdamWBenchmark {
  private static final int WARMUP = 2;
  private static final int MEASURED = 7;
  private static final double BYTES_PER_PARAM = 28.0;

  /** A named tensor shape and whether it gets weight decay (HF: not for biases and LayerNorm). */
  record Shape(String name, long[] dims, boolean decay) {
    long numel() {
      return Arrays.stream(dims).reduce(1, (a, b) -> a * b);
    }
  }

  /** The tensor list of a BERT encoder with a token-classification head (HF names and shapes). */
  static List<Shape> bertShapes(int layers, int hidden, int intermediate, int vocab, int labels) {
    List<Shape> s = new ArrayList<>();
    s.add(new Shape("embeddings.word_embeddings.weight", new long[] {vocab, hidden}, true));
    s.add(new Shape("embeddings.position_embeddings.weight", new long[] {512, hidden}, true));
    s.add(new Shape("embeddings.token_type_embeddings.weight", new long[] {2, hidden}, true));
    s.add(new Shape("embeddings.LayerNorm.weight", new long[] {hidden}, false));
    s.add(new Shape("embeddings.LayerNorm.bias", new long[] {hidden}, false));
    for (int l = 0; l < layers; l++) {
      String p = "encoder.layer." + l + ".";
      for (String proj : List.of("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense")) {
        s.add(new Shape(p + proj + ".weight", new long[] {hidden, hidden}, true));
        s.add(new Shape(p + proj + ".bias", new long[] {hidden}, false));
      }
      s.add(new Shape(p + "attention.output.LayerNorm.weight", new long[] {hidden}, false));
      s.add(new Shape(p + "attention.output.LayerNorm.bias", new long[] {hidden}, false));
      s.add(new Shape(p + "intermediate.dense.weight", new long[] {intermediate, hidden}, true));
      s.add(new Shape(p + "intermediate.dense.bias", new long[] {intermediate}, false));
      s.add(new Shape(p + "output.dense.weight", new long[] {hidden, intermediate}, true));
      s.add(new Shape(p + "output.dense.bias", new long[] {hidden}, false));
      s.add(new Shape(p + "output.LayerNorm.weight", new long[] {hidden}, false));
      s.add(new Shape(p + "output.LayerNorm.bias", new long[] {hidden}, false));
    }
    s.add(new Shape("pooler.dense.weight", new long[] {hidden, hidden}, true));
    s.add(new Shape("pooler.dense.bias", new long[] {hidden}, false));
    s.add(new Shape("classifier.weight", new long[] {labels, hidden}, true));
    s.add(new Shape("classifier.bias", new long[] {labels}, false));
    return s;
  }

  public static void main(String[] args) {
    NativeKernels.load();
    System.out.println("library: " + NativeKernels.buildInfo());
    System.out.println("cpus: " + Runtime.getRuntime().availableProcessors() + ", torch intra-op threads: " + torch.get_num_threads());
    List<String> only = Arrays.asList(args);
    if (only.isEmpty() || only.contains("minilm")) {
      run("all-MiniLM-L6 (6x384)", bertShapes(6, 384, 1536, 30522, 9));
    }
    if (only.isEmpty() || only.contains("bert-base")) {
      run("bert-base (12x768)", bertShapes(12, 768, 3072, 30522, 9));
    }
  }

  static void run(String label, List<Shape> shapes) {
    long params = shapes.stream().mapToLong(Shape::numel).sum();
    double fused = timeFused(shapes);
    double libtorch = timeLibTorch(shapes);
    System.out.printf("%-22s %6.1fM params %3d tensors | fused %8.2f ms/step %6.2f GB/s | LibTorch AdamW %8.2f ms/step %6.2f GB/s"
        + " | speed-up %.2fx%n", label, params / 1e6, shapes.size(), fused, gbPerSecond(params, fused), libtorch,
        gbPerSecond(params, libtorch), libtorch / fused);
  }

  static double gbPerSecond(long params, double ms) {
    return params * BYTES_PER_PARAM / (ms * 1e-3) / 1e9;
  }

  static double timeFused(List<Shape> shapes) {
    List<Tensor> params = makeParams(shapes);
    List<NamedParameter> decayed = new ArrayList<>();
    List<NamedParameter> plain = new ArrayList<>();
    for (int i = 0; i < shapes.size(); i++) {
      (shapes.get(i).decay() ? decayed : plain).add(new NamedParameter(shapes.get(i).name(), params.get(i)));
    }
    try (FusedAdamW optimizer = new FusedAdamW(List.of(new ParamGroup(decayed, 0.01), new ParamGroup(plain, 0.0)),
        AdamWSettings.HUGGING_FACE_DEFAULTS)) {
      return median(() -> optimizer.step(1e-4, 0.0));
    } finally {
      params.forEach(Tensor::close);
    }
  }

  static double timeLibTorch(List<Shape> shapes) {
    List<Tensor> params = makeParams(shapes);
    TensorVector decayed = new TensorVector();
    TensorVector plain = new TensorVector();
    for (int i = 0; i < shapes.size(); i++) {
      (shapes.get(i).decay() ? decayed : plain).push_back(params.get(i));
    }
    AdamWOptions decayOptions = new AdamWOptions(1e-4);
    decayOptions.weight_decay().put(0.01);
    AdamWOptions plainOptions = new AdamWOptions(1e-4);
    plainOptions.weight_decay().put(0.0);
    try (AdamW optimizer = new AdamW(decayed, decayOptions)) {
      optimizer.add_param_group(new OptimizerParamGroup(plain, plainOptions));
      return median(() -> optimizer.step().close());
    } finally {
      params.forEach(Tensor::close);
    }
  }

  static List<Tensor> makeParams(List<Shape> shapes) {
    torch.manual_seed(0);
    List<Tensor> params = new ArrayList<>();
    for (Shape shape : shapes) {
      Tensor p = torch.randn(shape.dims()).mul_(new org.bytedeco.pytorch.Scalar(0.02)).requires_grad_(true);
      try (Tensor g = torch.randn(shape.dims()); Tensor slot = p.mutable_grad()) {
        slot.put(g);
      }
      params.add(p);
    }
    return params;
  }

  static double median(Runnable step) {
    for (int i = 0; i < WARMUP; i++) {
      step.run();
    }
    double[] ms = new double[MEASURED];
    for (int i = 0; i < MEASURED; i++) {
      long start = System.nanoTime();
      step.run();
      ms[i] = (System.nanoTime() - start) / 1e6;
    }
    Arrays.sort(ms);
    return ms[MEASURED / 2];
  }
}
