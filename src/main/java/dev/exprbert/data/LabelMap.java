package dev.exprbert.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A validated label -> id map: ids are exactly 0..numLabels-1, one label each.
 *
 * <p>Also holds run_ner.py's {@code b_to_i_label}: the id a continuation sub-token gets under
 * label_all_tokens. For "B-X" that is the id of "I-X" when the map has "I-X", otherwise the label
 * itself (run_ner does the same; it uses {@code str.replace("B-", "I-")}, we replace the prefix
 * only, which differs only for labels that contain "B-" again later, such as "B-B-X").
 */
public final class LabelMap {
  private final List<String> labels;
  private final Map<String, Integer> ids;
  private final int[] continuationIds;

  private LabelMap(List<String> labels) {
    this.labels = List.copyOf(labels);
    this.ids = new LinkedHashMap<>();
    for (int id = 0; id < labels.size(); id++) {
      ids.put(labels.get(id), id);
    }
    this.continuationIds = new int[labels.size()];
    for (int id = 0; id < labels.size(); id++) {
      String label = labels.get(id);
      Integer inside = label.startsWith("B-") ? ids.get("I-" + label.substring(2)) : null;
      continuationIds[id] = inside == null ? id : inside;
    }
  }

  /** Labels in id order: {@code labels.get(i)} gets id i. */
  public static LabelMap ofLabels(List<String> labels) {
    Set<String> seen = new LinkedHashSet<>();
    for (int i = 0; i < labels.size(); i++) {
      String label = labels.get(i);
      if (label == null || label.isEmpty()) {
        throw new IllegalArgumentException("labels[" + i + "] is " + (label == null ? "null" : "empty")
            + "; expected a label name");
      }
      if (!seen.add(label)) {
        throw new IllegalArgumentException("labels[" + i + "] \"" + label + "\" is listed twice; expected distinct labels");
      }
    }
    if (labels.isEmpty()) {
      throw new IllegalArgumentException("labels is empty; expected at least one label");
    }
    return new LabelMap(labels);
  }

  /** A label -> id map (for instance config.json's label2id); ids must be 0..size-1, each once. */
  public static LabelMap ofIds(Map<String, Integer> labelToId) {
    int numLabels = labelToId.size();
    String[] byId = new String[numLabels];
    for (Map.Entry<String, Integer> entry : labelToId.entrySet()) {
      Integer id = entry.getValue();
      if (id == null || id < 0 || id >= numLabels) {
        throw new IllegalArgumentException(
            "label \"" + entry.getKey() + "\" has id " + id + "; expected 0 <= id < numLabels = " + numLabels);
      }
      if (byId[id] != null) {
        throw new IllegalArgumentException(
            "labels \"" + byId[id] + "\" and \"" + entry.getKey() + "\" both have id " + id
                + "; expected one label per id");
      }
      byId[id] = entry.getKey();
    }
    return ofLabels(Arrays.asList(byId));
  }

  public int numLabels() {
    return labels.size();
  }

  /** Labels in id order. */
  public List<String> labels() {
    return labels;
  }

  public String label(int id) {
    checkId(id);
    return labels.get(id);
  }

  /** The id of {@code label}; an unknown label throws {@link UnknownLabelException}. */
  public int id(String label) {
    Integer id = ids.get(label);
    if (id == null) {
      throw new UnknownLabelException(Set.of(String.valueOf(label)), labels);
    }
    return id;
  }

  /** The ids of {@code tags}; throws {@link UnknownLabelException} listing every unknown tag. */
  public int[] ids(List<String> tags) {
    int[] result = new int[tags.size()];
    Set<String> unknown = null;
    for (int i = 0; i < result.length; i++) {
      Integer id = ids.get(tags.get(i));
      if (id == null) {
        if (unknown == null) {
          unknown = new LinkedHashSet<>();
        }
        unknown.add(String.valueOf(tags.get(i)));
      } else {
        result[i] = id;
      }
    }
    if (unknown != null) {
      throw new UnknownLabelException(unknown, labels);
    }
    return result;
  }

  /** run_ner's b_to_i_label: the id for a continuation sub-token of a word labelled {@code id}. */
  public int continuationId(int id) {
    checkId(id);
    return continuationIds[id];
  }

  /** label -> id, in id order. */
  public Map<String, Integer> asMap() {
    return new LinkedHashMap<>(ids);
  }

  private void checkId(int id) {
    if (id < 0 || id >= labels.size()) {
      throw new IllegalArgumentException("label id " + id + " out of range; expected 0 <= id < " + labels.size());
    }
  }

  @Override
  public String toString() {
    return "LabelMap" + new ArrayList<>(labels);
  }
}
