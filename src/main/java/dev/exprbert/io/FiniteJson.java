package dev.exprbert.io;

import com.google.gson.GsonBuilder;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import java.io.IOException;

/**
 * JSON has no NaN or infinity, and Hugging Face writes them anyway (a bare {@code NaN} in {@code trainer_state.json}
 * or {@code eval_results.json}, which strict parsers reject). Our JSON files write a non-finite number as
 * {@code null} instead (the metric sinks do the same), keeping the key; reading a {@code null} into a number gives
 * NaN back. {@link #register} installs that on a Gson builder, for {@code double} and {@code Double} wherever they
 * appear (record components, map values).
 */
public final class FiniteJson {
  private FiniteJson() {}

  /** {@code builder} with the adapter installed (returned for chaining). */
  public static GsonBuilder register(GsonBuilder builder) {
    return builder.registerTypeAdapter(Double.class, ADAPTER).registerTypeAdapter(double.class, ADAPTER);
  }

  private static final TypeAdapter<Double> ADAPTER = new TypeAdapter<>() {
    @Override
    public void write(JsonWriter out, Double value) throws IOException {
      if (value == null || !Double.isFinite(value)) {
        boolean serializeNulls = out.getSerializeNulls();
        out.setSerializeNulls(true); // keep the key: the value exists, it just is not a JSON number
        out.nullValue();
        out.setSerializeNulls(serializeNulls);
      } else {
        out.value(value);
      }
    }

    @Override
    public Double read(JsonReader in) throws IOException {
      if (in.peek() == JsonToken.NULL) {
        in.nextNull();
        return Double.NaN;
      }
      return in.nextDouble();
    }
  };
}
