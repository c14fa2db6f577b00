package dev.exprbert.io;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A restricted unpickler, written in Java, for the {@code data.pkl} of a {@code torch.save} zip file.
 *
 * <p>[note: no code execution, no native memory] It interprets the binary opcodes of pickle protocols
 * 2 to 5 and resolves only the globals a state dict needs: {@code torch._utils._rebuild_tensor_v2}
 * (and {@code _rebuild_tensor}, {@code _rebuild_parameter}, {@code _rebuild_parameter_with_state}),
 * {@code collections.OrderedDict} and the typed storage classes (see {@link TorchStorageType}). This is
 * the list {@code torch.load(weights_only=True)} starts from, minus what tensors never need. Any other
 * global, and any opcode outside that set, is refused. Nothing from the file is called, and a tensor
 * comes out as a {@link TorchTensorView}: a description, checked later against its storage, never a
 * LibTorch object. Every length is checked against the bytes that remain before it is allocated, and
 * the machine is a loop (no recursion), so a crafted pickle costs at most time linear in its size.
 */
final class TorchPickle {
  /** Python's None. */
  enum None { NONE }

  /** A pickled tuple. */
  record Tuple(List<Object> items) {}

  /** A module-level name that GLOBAL pushed and only REDUCE or BINPERSID may consume. */
  record Global(String module, String name) {
    String qualified() {
      return module + "." + name;
    }
  }

  /**
   * Why a pickle could not be read. {@code unsupported} is true for a well-formed pickle that holds
   * something a state dict of tensors does not (another Python class), false for a corrupt one.
   */
  static final class PickleException extends Exception {
    private static final long serialVersionUID = 1L;
    final boolean unsupported;

    PickleException(String message, boolean unsupported) {
      super(message);
      this.unsupported = unsupported;
    }
  }

  private static final Object MARK = new Object() {
    @Override
    public String toString() {
      return "MARK";
    }
  };

  private final byte[] data;
  private int pos;
  private final ArrayList<Object> stack = new ArrayList<>();
  private final Deque<Integer> marks = new ArrayDeque<>();
  private final Map<Long, Object> memo = new HashMap<>();

  private TorchPickle(byte[] data) {
    this.data = data;
  }

  /** The object the pickle builds: dicts are {@link LinkedHashMap}s, lists {@link ArrayList}s. */
  static Object read(byte[] data) throws PickleException {
    return new TorchPickle(data).run();
  }

  private Object run() throws PickleException {
    while (true) {
      int at = pos;
      int op = u8();
      switch (op) {
        case 0x80 -> u8(); // PROTO n
        case 0x95 -> bytes(8); // FRAME length: frames only group bytes we read anyway
        case '.' -> {
          if (stack.size() != 1 || !marks.isEmpty()) {
            throw corrupt("STOP at byte " + at + " with " + stack.size() + " objects on the stack; expected exactly 1");
          }
          return stack.get(0);
        }
        case '(' -> {
          marks.push(stack.size());
          stack.add(MARK);
        }
        case '}' -> stack.add(new LinkedHashMap<>());
        case ']' -> stack.add(new ArrayList<>());
        case ')' -> stack.add(new Tuple(List.of()));
        case 't' -> stack.add(new Tuple(popToMark()));
        case 0x85 -> stack.add(new Tuple(popN(1)));
        case 0x86 -> stack.add(new Tuple(popN(2)));
        case 0x87 -> stack.add(new Tuple(popN(3)));
        case 'l' -> stack.add(new ArrayList<>(popToMark()));
        case 'd' -> {
          List<Object> items = popToMark();
          Map<Object, Object> dict = new LinkedHashMap<>();
          putPairs(dict, items, at);
          stack.add(dict);
        }
        case 'a' -> {
          Object value = pop();
          list(peek(), at).add(value);
        }
        case 'e' -> {
          List<Object> items = popToMark();
          list(peek(), at).addAll(items);
        }
        case 's' -> {
          Object value = pop();
          Object key = pop();
          putPairs(dict(peek(), at), List.of(key, value), at);
        }
        case 'u' -> {
          List<Object> items = popToMark();
          putPairs(dict(peek(), at), items, at);
        }
        case '0' -> pop();
        case '1' -> popToMark();
        case '2' -> stack.add(peek());
        case 'q' -> memo.put((long) u8(), peek());
        case 'r' -> memo.put(u32(), peek());
        case 0x94 -> memo.put((long) memo.size(), peek());
        case 'h' -> stack.add(memoGet(u8(), at));
        case 'j' -> stack.add(memoGet(u32(), at));
        case 'J' -> stack.add((long) i32());
        case 'K' -> stack.add((long) u8());
        case 'M' -> stack.add((long) (u8() | (u8() << 8)));
        case 0x8a -> stack.add(longN(u8(), at));
        case 0x8b -> stack.add(longN(u32(), at));
        case 0x88 -> stack.add(Boolean.TRUE);
        case 0x89 -> stack.add(Boolean.FALSE);
        case 'N' -> stack.add(None.NONE);
        case 'G' -> stack.add(Double.longBitsToDouble(bigEndianLong()));
        case 'X' -> stack.add(utf8(u32(), at));
        case 0x8c -> stack.add(utf8(u8(), at));
        case 0x8d -> stack.add(utf8(u64(), at));
        case 'T', 'B' -> stack.add(bytes(u32()));
        case 'U', 'C' -> stack.add(bytes(u8()));
        case 0x8e -> stack.add(bytes(u64()));
        case 'c' -> stack.add(global(line(), line()));
        case 0x93 -> {
          Object name = pop();
          Object module = pop();
          if (!(module instanceof String m) || !(name instanceof String n)) {
            throw corrupt("STACK_GLOBAL at byte " + at + " needs two strings");
          }
          stack.add(global(m, n));
        }
        case 'Q' -> stack.add(persistentLoad(pop(), at));
        case 'R' -> {
          Object args = pop();
          Object callable = pop();
          stack.add(reduce(callable, args, at));
        }
        case 'b' -> {
          pop(); // the state: an OrderedDict's __dict__ (state_dict()'s _metadata), which tensors never need
          Object target = peek();
          if (!(target instanceof Map)) {
            throw unsupported("BUILD at byte " + at + " sets the state of a " + kind(target) + "; only an"
                + " OrderedDict's attributes are expected (and ignored)");
          }
        }
        default -> throw unsupported(String.format("opcode 0x%02x at byte %d is not one a state dict of tensors uses"
            + " (protocol 0/1 text opcodes and object construction are not read)", op, at));
      }
    }
  }

  private Global global(String module, String name) throws PickleException {
    boolean allowed = switch (module) {
      case "torch._utils" -> name.equals("_rebuild_tensor_v2") || name.equals("_rebuild_tensor")
          || name.equals("_rebuild_parameter") || name.equals("_rebuild_parameter_with_state");
      case "collections" -> name.equals("OrderedDict");
      case "torch" -> TorchStorageType.named(name) != null;
      default -> false;
    };
    if (!allowed) {
      throw unsupported("it refers to the Python global " + module + "." + name + ", which a state dict of tensors"
          + " does not need (only tensors, dicts and OrderedDicts of float/int/bool storages are read)");
    }
    return new Global(module, name);
  }

  /** ('storage', torch.XStorage, key, location, numel) -> the storage it names. */
  private TorchTensorView.Storage persistentLoad(Object pid, int at) throws PickleException {
    if (!(pid instanceof Tuple t) || t.items().size() != 5 || !"storage".equals(t.items().get(0))) {
      throw corrupt("persistent id at byte " + at + " is " + kind(pid) + "; expected ('storage', type, key, location, numel)");
    }
    List<Object> p = t.items();
    if (!(p.get(1) instanceof Global g) || !g.module().equals("torch") || TorchStorageType.named(g.name()) == null) {
      throw corrupt("persistent id at byte " + at + " names storage type " + kind(p.get(1)) + "; expected torch.<X>Storage");
    }
    if (!(p.get(2) instanceof String key) || !(p.get(3) instanceof String) || !(p.get(4) instanceof Long numel)) {
      throw corrupt("persistent id at byte " + at + " has key " + kind(p.get(2)) + ", location " + kind(p.get(3))
          + ", numel " + kind(p.get(4)) + "; expected a string, a string and an integer");
    }
    return new TorchTensorView.Storage(key, TorchStorageType.named(g.name()), numel);
  }

  private Object reduce(Object callable, Object args, int at) throws PickleException {
    if (!(callable instanceof Global g)) {
      throw corrupt("REDUCE at byte " + at + " calls a " + kind(callable) + "; expected an allowed global");
    }
    if (!(args instanceof Tuple tuple)) {
      throw corrupt("REDUCE at byte " + at + " passes " + kind(args) + " to " + g.qualified() + "; expected a tuple");
    }
    List<Object> a = tuple.items();
    switch (g.qualified()) {
      case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor" -> {
        // (storage, storage_offset, size, stride[, requires_grad, backward_hooks[, metadata]])
        if (a.size() < 4 || a.size() > 7 || !(a.get(0) instanceof TorchTensorView.Storage storage)
            || !(a.get(1) instanceof Long offset)) {
          throw corrupt(g.qualified() + " at byte " + at + " gets " + describe(a)
              + "; expected (storage, offset, size, stride, ...)");
        }
        return new TorchTensorView(storage, offset, longs(a.get(2), "size", at), longs(a.get(3), "stride", at));
      }
      case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state" -> {
        if (a.isEmpty() || !(a.get(0) instanceof TorchTensorView view)) {
          throw corrupt(g.qualified() + " at byte " + at + " gets " + describe(a) + "; expected a tensor first");
        }
        return view;
      }
      case "collections.OrderedDict" -> {
        if (!a.isEmpty()) {
          throw unsupported("collections.OrderedDict at byte " + at + " is built from " + describe(a)
              + "; expected OrderedDict() filled by SETITEMS, as pickle writes it");
        }
        return new LinkedHashMap<>();
      }
      default -> throw corrupt(g.qualified() + " is called at byte " + at + " but is not callable here");
    }
  }

  private static long[] longs(Object value, String what, int at) throws PickleException {
    if (!(value instanceof Tuple t)) {
      throw corrupt("tensor " + what + " at byte " + at + " is " + kind(value) + "; expected a tuple of integers");
    }
    if (t.items().size() > TorchTensorView.MAX_DIMS) {
      throw corrupt("tensor " + what + " at byte " + at + " has " + t.items().size() + " dimensions; expected at most "
          + TorchTensorView.MAX_DIMS);
    }
    long[] out = new long[t.items().size()];
    for (int i = 0; i < out.length; i++) {
      if (!(t.items().get(i) instanceof Long v)) {
        throw corrupt("tensor " + what + " at byte " + at + " holds " + kind(t.items().get(i)) + "; expected integers");
      }
      out[i] = v;
    }
    return out;
  }

  private static void putPairs(Map<Object, Object> dict, List<Object> items, int at) throws PickleException {
    if (items.size() % 2 != 0) {
      throw corrupt("SETITEMS at byte " + at + " has an odd number (" + items.size() + ") of keys and values");
    }
    for (int i = 0; i < items.size(); i += 2) {
      Object key = items.get(i);
      if (key instanceof Map || key instanceof List) {
        throw corrupt("dict key at byte " + at + " is a " + kind(key) + ", which Python cannot hash");
      }
      dict.put(key, items.get(i + 1));
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<Object, Object> dict(Object o, int at) throws PickleException {
    if (!(o instanceof Map)) {
      throw corrupt("SETITEM(S) at byte " + at + " targets a " + kind(o) + "; expected a dict");
    }
    return (Map<Object, Object>) o;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object o, int at) throws PickleException {
    if (!(o instanceof ArrayList)) {
      throw corrupt("APPEND(S) at byte " + at + " targets a " + kind(o) + "; expected a list");
    }
    return (List<Object>) o;
  }

  private Object memoGet(long index, int at) throws PickleException {
    Object o = memo.get(index);
    if (o == null) {
      throw corrupt("memo entry " + index + " read at byte " + at + " was never stored");
    }
    return o;
  }

  private Object pop() throws PickleException {
    if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) {
      throw corrupt("stack underflow at byte " + pos);
    }
    return stack.remove(stack.size() - 1);
  }

  private Object peek() throws PickleException {
    if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) {
      throw corrupt("stack underflow at byte " + pos);
    }
    return stack.get(stack.size() - 1);
  }

  private List<Object> popN(int n) throws PickleException {
    Object[] items = new Object[n];
    for (int i = n - 1; i >= 0; i--) {
      items[i] = pop();
    }
    return List.of(items);
  }

  private List<Object> popToMark() throws PickleException {
    if (marks.isEmpty()) {
      throw corrupt("no MARK before byte " + pos);
    }
    int mark = marks.pop();
    List<Object> items = new ArrayList<>(stack.subList(mark + 1, stack.size()));
    stack.subList(mark, stack.size()).clear();
    return items;
  }

  private int u8() throws PickleException {
    need(1);
    return data[pos++] & 0xff;
  }

  private int i32() throws PickleException {
    need(4);
    int v = (data[pos] & 0xff) | (data[pos + 1] & 0xff) << 8 | (data[pos + 2] & 0xff) << 16 | (data[pos + 3] & 0xff) << 24;
    pos += 4;
    return v;
  }

  private long u32() throws PickleException {
    return i32() & 0xffffffffL;
  }

  private long u64() throws PickleException {
    long v = littleEndian(bytes(8));
    if (v < 0) {
      throw corrupt("length " + Long.toUnsignedString(v) + " at byte " + (pos - 8) + " is beyond the data");
    }
    return v;
  }

  private long bigEndianLong() throws PickleException {
    byte[] b = bytes(8);
    long v = 0;
    for (byte x : b) {
      v = (v << 8) | (x & 0xff);
    }
    return v;
  }

  /** LONG1/LONG4: a little-endian two's-complement integer of n bytes; we read those that fit a long. */
  private Long longN(long n, int at) throws PickleException {
    if (n > 8) {
      throw corrupt("integer of " + n + " bytes at byte " + at + " does not fit 64 bits");
    }
    byte[] b = bytes(n);
    if (b.length == 0) {
      return 0L;
    }
    long v = b[b.length - 1] < 0 ? -1L : 0L; // sign extension
    for (int i = b.length - 1; i >= 0; i--) {
      v = (v << 8) | (b[i] & 0xff);
    }
    return v;
  }

  private static long littleEndian(byte[] b) {
    long v = 0;
    for (int i = b.length - 1; i >= 0; i--) {
      v = (v << 8) | (b[i] & 0xff);
    }
    return v;
  }

  private byte[] bytes(long n) throws PickleException {
    need(n);
    byte[] out = java.util.Arrays.copyOfRange(data, pos, pos + (int) n);
    pos += (int) n;
    return out;
  }

  private String utf8(long n, int at) throws PickleException {
    byte[] b = bytes(n);
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(b)).toString();
    } catch (CharacterCodingException e) {
      throw corrupt("string at byte " + at + " is not valid UTF-8");
    }
  }

  /** A newline-terminated ASCII line (GLOBAL's module and name). */
  private String line() throws PickleException {
    int start = pos;
    while (pos < data.length && data[pos] != '\n') {
      pos++;
    }
    if (pos >= data.length) {
      throw corrupt("GLOBAL name starting at byte " + start + " has no end of line");
    }
    String s = new String(data, start, pos - start, StandardCharsets.US_ASCII);
    pos++;
    return s;
  }

  private void need(long n) throws PickleException {
    if (n < 0 || n > data.length - pos) {
      throw corrupt("needs " + n + " more bytes at byte " + pos + " but the pickle ends at byte " + data.length);
    }
  }

  private static String describe(List<Object> args) {
    List<String> kinds = new ArrayList<>();
    for (Object o : args) {
      kinds.add(kind(o));
    }
    return "(" + String.join(", ", kinds) + ")";
  }

  static String kind(Object o) {
    if (o == null) {
      return "nothing";
    }
    if (o instanceof Map) {
      return "dict";
    }
    if (o instanceof List) {
      return "list";
    }
    if (o instanceof Tuple) {
      return "tuple";
    }
    if (o instanceof Global g) {
      return "global " + g.qualified();
    }
    if (o instanceof TorchTensorView) {
      return "tensor";
    }
    if (o instanceof TorchTensorView.Storage) {
      return "storage";
    }
    if (o instanceof byte[]) {
      return "bytes";
    }
    if (o == None.NONE) {
      return "None";
    }
    return o.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
  }

  private static PickleException corrupt(String message) {
    return new PickleException(message, false);
  }

  private static PickleException unsupported(String message) {
    return new PickleException(message, true);
  }
}
