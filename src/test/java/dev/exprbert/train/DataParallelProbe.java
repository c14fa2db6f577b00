package dev.exprbert.train;

import com.google.gson.GsonBuilder;
import dev.exprbert.data.BatchLayout;
import dev.exprbert.data.LabeledSentence;
import dev.exprbert.data.Window;
import dev.exprbert.dist.DistributedBackend;
import dev.exprbert.dist.DistributedContext;
import dev.exprbert.io.ModelTokenizer;
import dev.exprbert.io.Safetensors;
import dev.exprbert.model.EncoderForTokenClassification;
import dev.exprbert.runtime.Placement;
import dev.exprbert.train.DataParallelScenarios.Scenario;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.bytedeco.pytorch.global.torch;

/**
 * One rank of {@link DataParallelTrainingTest}'s two-rank runs, in a child JVM started with torchrun's variables: joins
 * the run from its environment through the library API, then trains every {@link DataParallelScenarios} scenario with
 * batch 4 and the resume scenario, writing into {@code args[0]}: per scenario, each rank's step losses and final
 * weights, and rank 0's sharded and single-process evaluations of the final model.
 */
public final class DataParallelProbe {
  static final String RESUME = "resume";
  static final int RESUME_STEPS = 6;
  static final int STOP_AT = 4;

  private DataParallelProbe() {}

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args[0]);
    try (DistributedContext context = DistributedContext.fromEnvironment(DistributedBackend.GLOO, Placement.CPU_FLOAT32,
        Duration.ofSeconds(120))) {
      int rank = context.rank();
      try (ModelTokenizer tokenizer = TrainerFixtures.miniLm(Files.createDirectories(work.resolve("tokenizer-" + rank)))) {
        List<LabeledSentence> eval = DataParallelScenarios.eval();
        for (Scenario s : DataParallelScenarios.ALL) {
          List<LabeledSentence> train = DataParallelScenarios.train(s);
          Path dir = Files.createDirectories(work.resolve(s.name()));
          // rank 1 gets an output_dir of its own, as on a machine with its own disk: it must never be created
          TrainingConfig config = s.config(dir.resolve(rank == 0 ? "run" : "run-rank" + rank), 4);
          try (EncoderForTokenClassification model = DataParallelScenarios.model(TrainerFixtures.labelsOf(train), s.attention(), false);
              Trainer trainer = new Trainer(config, model, tokenizer, train, eval, context)) {
            DataParallelScenarios.StepLosses losses = new DataParallelScenarios.StepLosses();
            trainer.addCallback(losses);
            TrainResult result = trainer.train();
            Files.write(dir.resolve("losses-rank" + rank + ".txt"), losses.values.stream().map(String::valueOf).toList());
            Safetensors.write(dir.resolve("weights-rank" + rank + ".safetensors"), model.weights().asMap(), Map.of());
            if (rank == 0) {
              Window window = Window.resolve(config.maxSeqLength(), config.stride(), model.config().maxPositionEmbeddings(),
                  tokenizer);
              Evaluation single = new Evaluator(model, tokenizer, eval, false, window, 8,
                  BatchLayout.forTraining(model.attention().implementation(), s.paddingFree()))
                  .run("eval", config.returnEntityLevelMetrics());
              Files.writeString(dir.resolve("eval-sharded.json"), json(result.finalEvaluation()));
              Files.writeString(dir.resolve("eval-single.json"), json(single));
            }
          }
        }
        resume(work.resolve(RESUME), tokenizer, eval, context);
      }
    }
  }

  /** The resume scenario: uninterrupted, interrupted at {@link #STOP_AT}, resumed; dropout on. */
  private static void resume(Path dir, ModelTokenizer tokenizer, List<LabeledSentence> eval, DistributedContext context)
      throws Exception {
    Scenario s = new Scenario(RESUME, "adamw_torch_fused", "sdpa", false, 1, false, 48);
    List<LabeledSentence> train = DataParallelScenarios.train(s);
    for (String part : List.of("whole", "parts", "resumed")) {
      TrainingConfig config = s.config(dir.resolve(part.equals("whole") ? "whole" : "parts"), 4).toBuilder()
          .set("max_steps", RESUME_STEPS).set("save_strategy", "steps").set("save_steps", 2)
          .set("resume_from_checkpoint", part.equals("resumed") ? dir.resolve("parts").resolve("checkpoint-" + STOP_AT).toString() : null)
          .build();
      if (part.equals("resumed")) {
        torch.manual_seed(12345 + context.rank()); // only the restored RNG state may count
      }
      try (EncoderForTokenClassification model = DataParallelScenarios.model(TrainerFixtures.labelsOf(train), s.attention(), true);
          Trainer trainer = new Trainer(config, model, tokenizer, train, eval, context)) {
        if (part.equals("parts")) {
          trainer.addCallback(new TrainerCallback() {
            @Override
            public void onStepEnd(RunView run, TrainerControl control) {
              if (run.globalStep() == STOP_AT) {
                control.requestStop();
              }
            }
          });
        }
        trainer.train();
      }
    }
  }

  /** The metrics without timings, and the predicted tags. */
  private static String json(Evaluation evaluation) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("metrics", evaluation.metrics().entrySet().stream()
        .filter(e -> !e.getKey().endsWith("_runtime") && !e.getKey().endsWith("_per_second"))
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, LinkedHashMap::new)));
    out.put("predicted", evaluation.predictedTags());
    return new GsonBuilder().setPrettyPrinting().create().toJson(out);
  }
}
