package dev.exprbert.train;

import dev.exprbert.data.LabelSets;
import dev.exprbert.data.LabeledSentence;
import dev.exprbert.data.ReaderOptions;
import dev.exprbert.data.SentenceReaders;
import dev.exprbert.io.ModelTokenizer;
import dev.exprbert.io.TokenizerLoader;
import dev.exprbert.model.CheckpointLoader;
import dev.exprbert.model.EncoderForTokenClassification;
import dev.exprbert.model.attention.AttentionBackend;
import dev.exprbert.model.bert.BertConfig;
import dev.exprbert.runtime.Natives;
import dev.exprbert.runtime.Placement;
import dev.exprbert.testing.TestTokenizers;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Small real inputs for trainer tests: opener_en expression slices, MiniLM's tokenizer, tiny random BERTs. */
final class TrainerFixtures {
  static final Path OPENER = Path.of("..", "shared", "data", "semeval22-opener_en", "expression");
  static final int MINILM_VOCAB = 30522;

  private TrainerFixtures() {}

  /** The first {@code count} sentences of the opener_en expression split {@code split} (train, dev, test). */
  static List<LabeledSentence> opener(String split, int count) {
    List<LabeledSentence> all = SentenceReaders.readAll(OPENER.resolve(split + ".conll"), ReaderOptions.DEFAULTS);
    return List.copyOf(all.subList(0, Math.min(count, all.size())));
  }

  static ModelTokenizer miniLm(Path tmp) throws IOException {
    return TokenizerLoader.load(TestTokenizers.miniLm(tmp));
  }

  static BertConfig tinyConfig(int hidden, int layers, List<String> labels) {
    return BertConfig.builder().vocabSize(MINILM_VOCAB).hiddenSize(hidden).numHiddenLayers(layers)
        .numAttentionHeads(hidden / 16).intermediateSize(hidden * 2).maxPositionEmbeddings(128).labels(labels)
        .padTokenId(0).build();
  }

  /** A randomly initialised model (seed 42), dropout 0.1 as BERT's default. */
  static EncoderForTokenClassification tinyModel(int hidden, int layers, List<String> labels) {
    Natives.init();
    BertConfig config = tinyConfig(hidden, layers, labels);
    return new EncoderForTokenClassification(config, CheckpointLoader.initialize(config, Placement.CPU_FLOAT32, 42),
        Placement.CPU_FLOAT32, AttentionBackend.named("sdpa"));
  }

  static List<String> labelsOf(List<LabeledSentence> sentences) {
    return LabelSets.collect(sentences);
  }
}
