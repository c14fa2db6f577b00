package dev.exprbert.metrics;

import dev.exprbert.runtime.CodePointOrder;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The sufficient statistics of every entity metric: per type (sorted as Python sorts str), how
 * many gold and predicted entities there are and how many match. Types are the union of gold and
 * predicted types, as seqeval's {@code target_names}; entities are compared as sets, as seqeval
 * does.
 */
public record EntityCounts(List<TypeCounts> byType) {
  public EntityCounts {
    byType = List.copyOf(byType);
  }

  public static EntityCounts of(Collection<Entity> gold, Collection<Entity> predicted) {
    Set<Entity> goldSet = new HashSet<>(gold);
    Set<Entity> predictedSet = new HashSet<>(predicted);
    Map<String, long[]> counts = new TreeMap<>(CodePointOrder.COMPARATOR);
    for (Entity entity : goldSet) {
      long[] c = counts.computeIfAbsent(entity.type(), t -> new long[3]);
      c[2]++;
      if (predictedSet.contains(entity)) {
        c[0]++;
      }
    }
    for (Entity entity : predictedSet) {
      counts.computeIfAbsent(entity.type(), t -> new long[3])[1]++;
    }
    List<TypeCounts> byType = new ArrayList<>(counts.size());
    for (Map.Entry<String, long[]> e : counts.entrySet()) {
      long[] c = e.getValue();
      byType.add(new TypeCounts(e.getKey(), c[0], c[1], c[2]));
    }
    return new EntityCounts(byType);
  }

  public long truePositives() {
    return byType.stream().mapToLong(TypeCounts::truePositives).sum();
  }

  public long predicted() {
    return byType.stream().mapToLong(TypeCounts::predicted).sum();
  }

  public long support() {
    return byType.stream().mapToLong(TypeCounts::support).sum();
  }
}
