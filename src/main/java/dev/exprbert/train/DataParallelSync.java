package dev.exprbert.train;

import dev.exprbert.dist.BucketedAllReduce;
import dev.exprbert.dist.DistributedContext;
import dev.exprbert.model.EncoderForTokenClassification;
import dev.exprbert.model.NamedParameter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import org.bytedeco.pytorch.Tensor;

/**
 * The {@link GradientSync} of a data-parallel run: token counts summed over the ranks on the CPU group, one
 * gradient bucket per backward group of the model (the classifier, each encoder layer from the last, the embeddings),
 * started as the layer-wise backward finishes it and summed in that fixed order ({@link BucketedAllReduce}), then the
 * step's loss. The fused AdamW then runs unchanged on every rank on the same summed gradients, and clipping sees the
 * global norm.
 */
final class DataParallelSync implements GradientSync, AutoCloseable {
  private final DistributedContext context;
  private final BucketedAllReduce buckets;

  DataParallelSync(DistributedContext context, EncoderForTokenClassification model) {
    this.context = context;
    List<List<Tensor>> groups = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (List<NamedParameter> group : model.backwardGroups()) {
      groups.add(group.stream().map(NamedParameter::tensor).toList());
      names.add(groupName(group));
    }
    this.buckets = new BucketedAllReduce(context, groups, names);
  }

  /** The common prefix of a group's parameter names ({@code bert.encoder.layer.5}). */
  private static String groupName(List<NamedParameter> group) {
    String name = group.get(0).name();
    for (NamedParameter p : group) {
      while (!p.name().startsWith(name)) {
        name = name.substring(0, Math.max(0, name.lastIndexOf('.')));
      }
    }
    return name.isEmpty() ? "the parameters" : name;
  }

  BucketedAllReduce buckets() {
    return buckets;
  }

  @Override
  public long[] sumCounts(long[] counts) {
    return context.allReduceSum(counts, "the sum of the step's token counts");
  }

  @Override
  public IntConsumer onGroupDone() {
    return buckets::ready;
  }

  @Override
  public void finish(Tensor loss) {
    buckets.finish();
    try (DistributedContext.Pending sum = context.allReduceAsync(loss, "the sum of the step's loss")) {
      sum.await();
    }
  }

  @Override
  public void close() {
    buckets.close();
  }
}
