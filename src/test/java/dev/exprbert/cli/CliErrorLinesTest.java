package dev.exprbert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.testing.TestTokenizers;
import dev.exprbert.testing.TinyModelDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every command attacked with bad flags: whatever is wrong, stderr is ONE line that starts with the command, names
 * the flag or file, and says what to do; usage errors exit 2 with a pointer to --help (never the usage text, never a
 * Java field name), failures exit 1. {model}, {train}, {file}, {folder} and {tmp} stand for a tiny model directory, a
 * CoNLL file, a plain file, a folder of plain files and a scratch folder.
 */
class CliErrorLinesTest {
  private static final Path TRAIN = Path.of("..", "shared", "data", "semeval22-opener_en", "expression", "dev.conll");

  @TempDir
  static Path tmp;

  @BeforeAll
  static void files() throws IOException {
    TinyModelDirectory.create(tmp.resolve("model"));
    TestTokenizers.miniLm(tmp);
    Files.writeString(tmp.resolve("file.txt"), "not a folder\n");
    Files.createDirectories(tmp.resolve("folder"));
    Files.writeString(tmp.resolve("folder").resolve("notes.txt"), "no annotations here\n");
  }

  static Stream<Arguments> badInvocations() {
    String run = "--model_name_or_path {model} --train_file {train} --output_dir {tmp}/run";
    return Stream.of(
        // train
        bad(1, "--config {tmp}/missing.json: no such file", "train --config {tmp}/missing.json " + run),
        bad(1, "output_dir {file} is a file, not a folder",
            "train --model_name_or_path {model} --train_file {train} --output_dir {file}"),
        bad(1, "--train_file {folder} is a folder, not a data file",
            "train --model_name_or_path {model} --train_file {folder} --output_dir {tmp}/run"),
        bad(1, "--device cuda:999: ", "train --device cuda:999 " + run),
        bad(2, "--metric_for_best_model bogus is not a metric evaluation produces",
            "train --load_best_model_at_end --eval_strategy epoch --save_strategy epoch --metric_for_best_model bogus " + run),
        bad(2, "--per_device_train_batch_size: expected an integer, found 'many'",
            "train --per_device_train_batch_size many " + run),
        bad(2, "--per_device_train_batch_size must be >= 1, found 0", "train --per_device_train_batch_size 0 " + run),
        bad(2, "Unknown options: '--lerning_rate', '1e-4'; did you mean --learning_rate", "train --lerning_rate 1e-4 " + run),
        bad(2, "--device 'gpu' is unknown: expected cpu, cuda or cuda:N", "train --device gpu " + run),
        bad(1, "--eval_strategy epoch needs evaluation data", "train --eval_strategy epoch " + run),
        bad(1, "give --model_name_or_path", "train --train_file {train} --output_dir {tmp}/run"),
        // evaluate
        bad(2, "Missing required option: '--validation_file'", "evaluate --model {model}"),
        bad(1, "--device cuda:999: ", "evaluate --model {model} --validation_file {train} --device cuda:999"),
        bad(1, "{tmp}/missing", "evaluate --model {tmp}/missing --validation_file {train}"),
        bad(1, "--validation_file {folder} is a folder", "evaluate --model {model} --validation_file {folder}"),
        bad(2, "'abc' is not an int", "evaluate --model {model} --validation_file {train} --per_device_eval_batch_size abc"),
        // predict
        bad(1, "--device cuda:999: ", "predict --model {model} --device cuda:999"),
        bad(2, "--device 'gpu' is unknown", "predict --model {model} --device gpu"),
        bad(2, "unknown --input-format \"xml\"", "predict --model {model} --input-format xml"),
        bad(1, "--input {tmp}/none.txt: no such file", "predict --model {model} --input {tmp}/none.txt"),
        bad(1, "--input {folder} is a folder", "predict --model {model} --input {folder}"),
        // info
        bad(2, "Missing required option: '--model'", "info"),
        bad(1, "{tmp}/missing", "info --model {tmp}/missing"),
        bad(1, "{file}", "info --model {file}"),
        bad(2, "Unknown options: '--modle', 'x'", "info --model {model} --modle x"),
        // convert
        bad(2, "Missing required options", "convert --onnx {tmp}/x.onnx"),
        bad(1, "{tmp}/missing.onnx", "convert --onnx {tmp}/missing.onnx --tokenizer {tmp}/minilm/tokenizer.json --out {tmp}/converted"),
        bad(1, "--num-heads must be a positive integer", "convert --onnx {file} --tokenizer {file} --out {tmp}/c --num-heads 0"),
        // convert-data
        bad(1, "--in {tmp}/missing.conll does not exist", "convert-data --in {tmp}/missing.conll --out {tmp}/o.conll --to conll"),
        bad(1, "unknown --to \"xml\"", "convert-data --in {train} --out {tmp}/o.conll --to xml"),
        bad(1, "{folder}", "convert-data --in {train} --out {folder} --to conll"),
        // export-onnx
        bad(2, "Missing required option: '--out'", "export-onnx --model {model}"),
        bad(1, "{tmp}/nodir", "export-onnx --model {model} --out {tmp}/nodir/x.onnx"),
        bad(1, "opset", "export-onnx --model {model} --out {tmp}/x.onnx --opset 99"),
        // serve
        bad(1, "--device cuda:999: ", "serve --model {model} --port 0 --device cuda:999"),
        bad(2, "'abc' is not an int", "serve --model {model} --port abc"),
        bad(2, "--threads must be >= 1", "serve --model {model} --port 0 --threads 0"),
        bad(1, "{tmp}/missing", "serve --model {tmp}/missing --port 0"),
        // the command itself
        bad(2, "Unmatched arguments from index 0: 'tran', '--model', '{model}'; did you mean train?", "tran --model {model}"));
  }

  private static Arguments bad(int code, String fragment, String commandLine) {
    return Arguments.of(commandLine, code, fragment);
  }

  private static String expand(String text) {
    return text.replace("{model}", tmp.resolve("model").toString()).replace("{train}", TRAIN.toString())
        .replace("{file}", tmp.resolve("file.txt").toString()).replace("{folder}", tmp.resolve("folder").toString())
        .replace("{tmp}", tmp.toString());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badInvocations")
  void aBadInvocationGetsOneLine(String commandLine, int code, String fragment) {
    String[] args = Arrays.stream(commandLine.split(" ")).map(CliErrorLinesTest::expand).toArray(String[]::new);
    CliRun r = CliRun.of(args);
    String err = r.err().strip();
    assertEquals(1, err.lines().count(), "stderr must be one line:\n" + r.err());
    assertEquals(code, r.code(), err);
    String command = args[0].equals("tran") ? "exprbert" : "exprbert " + args[0];
    assertTrue(err.startsWith(command + ": "), err);
    assertTrue(err.contains(expand(fragment)), "expected \"" + expand(fragment) + "\" in: " + err);
    assertFalse(err.contains("Usage:") || err.matches(".*=<\\w+>.*"), "no usage text, no Java field names: " + err);
    if (code == 2) {
      assertTrue(err.endsWith("(see '" + command + " --help')"), err);
    }
    assertTrue(err.length() < 700, "one sentence, not a dump (" + err.length() + " chars): " + err);
  }
}
