package dev.exprbert.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.exprbert.io.AtomicFiles;
import dev.exprbert.runtime.HostReads;
import dev.exprbert.runtime.Placement;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Dynamic loss scaling for fp16 training, {@code torch.amp.GradScaler} with its defaults: the loss is multiplied by
 * the scale (initially 2^16) before the backward pass, so small float16 gradients do not flush to zero; the optimizer
 * divides the gradients by it again ({@link #invScale()}, {@code 1 / scale} computed in double as GradScaler does) and
 * skips a step whose gradients hold an inf or NaN; then {@link #update} halves the scale after such a step
 * ({@code backoff_factor} 0.5) and doubles it after {@code growth_interval} 2000 steps in a row without one
 * ({@code growth_factor} 2), exactly as {@code torch._amp_update_scale_} (a doubled scale that is not finite is not
 * taken, and the count restarts).
 *
 * <p>The scale, the growth tracker and the found-inf flag stay on the device: nothing here waits for it, except the
 * checkpoint ({@code scaler.json}: GradScaler's {@code state_dict()} keys) and {@link #readAndResetLog} at logging
 * steps. Owns its tensors.
 */
final class LossScaler implements AutoCloseable {
  static final String FILE = "scaler.json";
  static final double INIT_SCALE = 65536.0;
  static final double GROWTH_FACTOR = 2.0;
  static final double BACKOFF_FACTOR = 0.5;
  static final long GROWTH_INTERVAL = 2000;
  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

  private final Tensor scale;         // float32 [] on the device
  private final Tensor growthTracker; // int32 []: clean steps in a row since the scale last changed
  private final Tensor invScale;      // float32 []: 1 / scale, rounded from double
  private final Tensor skipsSinceLog; // int64 []: overflowing (skipped) steps since the last log read
  private double growthFactor;
  private double backoffFactor;
  private long growthInterval;

  LossScaler(Placement placement) {
    this(placement, INIT_SCALE, GROWTH_FACTOR, BACKOFF_FACTOR, GROWTH_INTERVAL);
  }

  LossScaler(Placement placement, double initScale, double growthFactor, double backoffFactor, long growthInterval) {
    if (!(initScale > 0) || Double.isInfinite(initScale) || !(growthFactor > 1) || !(backoffFactor > 0 && backoffFactor < 1)
        || growthInterval < 1) {
      throw new IllegalArgumentException("a loss scaler needs a finite scale > 0, growth > 1, backoff in (0, 1) and an"
          + " interval >= 1, got " + initScale + ", " + growthFactor + ", " + backoffFactor + ", " + growthInterval);
    }
    this.growthFactor = growthFactor;
    this.backoffFactor = backoffFactor;
    this.growthInterval = growthInterval;
    try (TensorOptions floats = placement.options(ScalarType.Float);
        TensorOptions ints = placement.options(ScalarType.Int);
        TensorOptions longs = placement.options(ScalarType.Long);
        Scalar init = new Scalar(initScale)) {
      this.scale = torch.full(new long[] {}, init, floats);
      this.growthTracker = torch.zeros(new long[] {}, ints);
      this.invScale = torch.zeros(new long[] {}, floats);
      this.skipsSinceLog = torch.zeros(new long[] {}, longs);
    }
    refreshInverse();
  }

  /** {@code loss * scale}, the tensor to run the backward pass from; the caller owns it. */
  Tensor scale(Tensor loss) {
    return loss.mul(scale);
  }

  /** {@code 1 / scale} as the optimizer's {@code GradientCheck} takes it; borrowed, valid until the next update. */
  Tensor invScale() {
    return invScale;
  }

  /**
   * After a step: {@code torch._amp_update_scale_} on the device. {@code foundInf} (0-dim float32, non-zero when the
   * step's gradients overflowed) backs the scale off and restarts the count; {@code growth_interval} clean steps in a
   * row grow it.
   */
  void update(Tensor foundInf) {
    try (PointerScope scope = new PointerScope()) {
      Tensor overflow = foundInf.ne(new Scalar(0));
      Tensor successful = growthTracker.add(new Scalar(1));
      Tensor due = successful.eq(new Scalar(growthInterval)).logical_and(overflow.logical_not());
      Tensor grown = scale.mul(new Scalar(growthFactor));
      Tensor backedOff = scale.mul(new Scalar(backoffFactor));
      Tensor grow = due.logical_and(torch.isfinite(grown));
      Tensor newScale = torch.where(overflow, backedOff, torch.where(grow, grown, scale));
      Tensor restart = overflow.logical_or(due);
      Tensor newTracker = torch.where(restart, torch.zeros_like(successful), successful);
      scale.copy_(newScale);
      growthTracker.copy_(newTracker);
      skipsSinceLog.add_(overflow.to(ScalarType.Long));
    }
    refreshInverse();
  }

  /**
   * The scale now and the overflowing steps since the last call, read from the device (for the log line at a
   * logging step); resets the count.
   */
  String readAndResetLog() {
    double now = HostReads.toDouble(scale);
    long skipped = HostReads.toLong(skipsSinceLog);
    skipsSinceLog.zero_();
    return "loss scale " + (now == Math.rint(now) && Math.abs(now) < 1e15 ? String.valueOf((long) now) : String.valueOf(now))
        + (skipped > 0 ? ", " + skipped + " overflowing step(s) skipped since the last log" : "");
  }

  /** GradScaler's {@code state_dict()}: scale, growth_factor, backoff_factor, growth_interval, _growth_tracker. */
  Map<String, Object> stateDict() {
    Map<String, Object> state = new LinkedHashMap<>();
    state.put("scale", HostReads.toDouble(scale));
    state.put("growth_factor", growthFactor);
    state.put("backoff_factor", backoffFactor);
    state.put("growth_interval", growthInterval);
    state.put("_growth_tracker", HostReads.toLong(growthTracker));
    return state;
  }

  /** Restores what {@link #stateDict()} wrote (as GradScaler.load_state_dict: the factors and interval too). */
  void loadStateDict(double newScale, double growth, double backoff, long interval, long tracker) {
    if (!(newScale > 0) || Double.isInfinite(newScale) || !(growth > 1) || !(backoff > 0 && backoff < 1) || interval < 1
        || tracker < 0 || tracker >= interval) {
      throw new IllegalArgumentException("loss scaler state out of range: scale " + newScale + ", growth_factor " + growth
          + ", backoff_factor " + backoff + ", growth_interval " + interval + ", _growth_tracker " + tracker);
    }
    growthFactor = growth;
    backoffFactor = backoff;
    growthInterval = interval;
    try (Scalar s = new Scalar(newScale); Scalar t = new Scalar(tracker)) {
      scale.fill_(s);
      growthTracker.fill_(t);
    }
    refreshInverse();
  }

  /** {@code scaler.json} in a checkpoint: written at saves, checked and restored on resume. */
  CheckpointPart part() {
    return new CheckpointPart() {
      @Override
      public String file() {
        return FILE;
      }

      @Override
      public void save(Path folder) throws IOException {
        AtomicFiles.writeString(folder.resolve(FILE), GSON.toJson(stateDict()) + "\n");
      }

      @Override
      public void check(Path checkpoint) throws IOException {
        read(checkpoint);
      }

      @Override
      public void restore(Path checkpoint) throws IOException {
        JsonObject o = read(checkpoint);
        loadStateDict(o.get("scale").getAsDouble(), o.get("growth_factor").getAsDouble(),
            o.get("backoff_factor").getAsDouble(), o.get("growth_interval").getAsLong(),
            o.get("_growth_tracker").getAsLong());
      }
    };
  }

  private static JsonObject read(Path checkpoint) throws IOException {
    Path file = checkpoint.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("cannot resume an fp16 run from " + checkpoint + ": it holds no " + FILE
          + " (the loss scaler's state), so it was saved by a run without --fp16; resume with the precision it was"
          + " trained with");
    }
    JsonObject o;
    try {
      o = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
    } catch (RuntimeException e) {
      throw new IOException(file + ": expected GradScaler's state as a JSON object, found unreadable JSON", e);
    }
    for (String key : new String[] {"scale", "growth_factor", "backoff_factor", "growth_interval", "_growth_tracker"}) {
      if (!o.has(key) || !o.get(key).isJsonPrimitive() || !o.get(key).getAsJsonPrimitive().isNumber()) {
        throw new IOException(file + ": expected a number for '" + key + "', found " + o.get(key));
      }
    }
    return o;
  }

  private void refreshInverse() {
    try (Tensor asDouble = scale.to(ScalarType.Double); Tensor reciprocal = asDouble.reciprocal()) {
      invScale.copy_(reciprocal);
    }
  }

  @Override
  public void close() {
    scale.close();
    growthTracker.close();
    invScale.close();
    skipsSinceLog.close();
  }
}
