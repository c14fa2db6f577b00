package dev.exprbert.model.deberta;

import dev.exprbert.model.EncoderRun;
import dev.exprbert.model.ModelWeights;
import dev.exprbert.model.ParameterSpec;
import dev.exprbert.model.WeightPath;
import dev.exprbert.model.nn.Linear;
import dev.exprbert.model.nn.MultiHeadSelfAttention;
import dev.exprbert.runtime.Tensors;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * transformers' {@code DisentangledSelfAttention} ({@code attention.self}: {@code query_proj}, {@code key_proj},
 * {@code value_proj}) with {@code share_att_key}: per head with head_dim d, the score of query i and key j is
 *
 * <pre>
 *   q_i . k_j / s  +  q_i . Kr[row(i, j)] / s (c2p)  +  k_j . Qr[row(i, j)] / s (p2c),   s = sqrt(d * (1 + #pos_att_type))
 * </pre>
 *
 * where {@code Kr = key_proj(rel)} and {@code Qr = query_proj(rel)} project the pass's relative embeddings (after
 * their dropout) through the content projections, biases included, and {@code row} is {@link RelativePositions}'.
 * transformers gathers p2c at {@code -bucket(j - i)}, which equals {@code bucket(i - j)}: the same rows, transposed.
 * The relative terms and the pairwise mask form one additive [batch, heads, seq, seq] term that the chosen backend
 * adds to {@code q k^T / s} ({@link EncoderRun#attendWithBias}): eager, or sdpa with it as its float mask. The key
 * bias really matters here (p2c multiplies keys with position vectors), unlike in BERT, where softmax ignores it.
 */
final class DisentangledSelfAttention {
  private final Linear queryProj;
  private final Linear keyProj;
  private final Linear valueProj;
  private final int heads;
  private final boolean c2p;
  private final boolean p2c;
  /** sqrt(head_dim * scale_factor), in float32 as transformers computes it. */
  private final float scale;
  private final double attentionDropout;
  private final double positionDropout;

  DisentangledSelfAttention(ModelWeights weights, WeightPath path, DebertaV2Config config) {
    this.queryProj = new Linear(weights, path.child("query_proj"));
    this.keyProj = new Linear(weights, path.child("key_proj"));
    this.valueProj = new Linear(weights, path.child("value_proj"));
    this.heads = config.numAttentionHeads();
    this.c2p = config.hasPosAttType(DebertaV2Config.C2P);
    this.p2c = config.hasPosAttType(DebertaV2Config.P2C);
    int scaleFactor = 1 + (c2p ? 1 : 0) + (p2c ? 1 : 0);
    this.scale = (float) Math.sqrt((float) config.headDim() * scaleFactor);
    this.attentionDropout = config.attentionProbsDropoutProb();
    this.positionDropout = config.hiddenDropoutProb(); // pos_dropout
  }

  static void declare(List<ParameterSpec> specs, WeightPath path, DebertaV2Config config) {
    long h = config.hiddenSize();
    Linear.declare(specs, path.child("query_proj"), h, h, true);
    Linear.declare(specs, path.child("key_proj"), h, h, true);
    Linear.declare(specs, path.child("value_proj"), h, h, true);
  }

  /** x [batch, seq, hidden] -> context [batch, seq, hidden] (before the output projection); the caller owns it. */
  Tensor forward(Tensor x, EncoderRun run, RelativeAttentionInputs inputs) {
    long[] shape = x.sizes().vec().get();
    try (Tensor q = MultiHeadSelfAttention.splitHeads(queryProj.forward(x), shape, heads);
        Tensor k = MultiHeadSelfAttention.splitHeads(keyProj.forward(x), shape, heads);
        Tensor v = MultiHeadSelfAttention.splitHeads(valueProj.forward(x), shape, heads);
        Tensor bias = relativeScores(q, k, inputs, run.training());
        Tensor context = run.attendWithBias(q, k, v, bias, 1.0 / scale, attentionDropout)) {
      return context.reshape(shape);
    }
  }

  /**
   * The c2p and p2c terms over {@code s}, plus the pairwise mask: [batch, heads, seq, seq]; the caller owns it.
   *
   * @param q [batch, seq, heads, d]
   * @param k [batch, seq, heads, d]
   */
  private Tensor relativeScores(Tensor q, Tensor k, RelativeAttentionInputs inputs, boolean training) {
    long b = q.size(0);
    long s = q.size(1);
    try (PointerScope scope = new PointerScope()) {
      Tensor rel = torch.dropout(inputs.relEmbeddings(), positionDropout, training);
      Scalar divisor = new Scalar((double) scale);
      Tensor sum = null;
      if (c2p) {
        // c2p[b, h, i, j] = q_i . Kr[row(i, j)]: every relative row against every query, then the row (i, j) picked
        Tensor all = torch.matmul(q.transpose(1, 2), headsFirst(keyProj.forward(rel))); // [b, h, seq, rows]
        Tensor picked = all.gather(-1, inputs.rows().expand(b, heads, s, s));
        sum = picked.div(divisor);
      }
      if (p2c) {
        // p2c[b, h, i, j] = k_j . Qr[row(i, j)]: gathered per key j at row(i, j) = rows^T[j, i], then transposed
        Tensor all = torch.matmul(k.transpose(1, 2), headsFirst(queryProj.forward(rel))); // [b, h, seq (keys), rows]
        Tensor picked = all.gather(-1, inputs.rows().transpose(0, 1).expand(b, heads, s, s)).transpose(-1, -2);
        Tensor term = picked.div(divisor);
        sum = sum == null ? term : sum.add(term);
      }
      return Tensors.outlive(scope, sum.add(inputs.mask()));
    }
  }

  /** A projection of the relative embeddings [rows, hidden] -> [heads, d, rows], for a batched matmul per head. */
  private Tensor headsFirst(Tensor projected) {
    return projected.view(projected.size(0), heads, -1).permute(1, 2, 0);
  }
}
