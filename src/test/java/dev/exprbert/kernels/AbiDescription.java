package dev.exprbert.kernels;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a C ABI consists of, read from one of its three spellings: the header {@code kernels.h}, the JavaCPP binding
 * {@code KernelsLibrary.java} and the ctypes mirror {@code exprbert_ctypes.py}. Types are reduced to what decides the
 * binary layout and calling convention: {@code i32, i64, u64, u8, f32, f64, ptr, void}.
 *
 * @param constants enum values and numeric #defines, under their C names ({@code EXPRBERT_...})
 * @param structs params structs by C name: field names with their kinds, in declaration order
 * @param functions functions by C name: the result kind first, then each argument's kind in order
 */
record AbiDescription(Map<String, Long> constants, Map<String, List<String>> structs, Map<String, List<String>> functions) {

  /** The differences from {@code truth}, one line each, naming {@code mirror}; empty when they agree. */
  List<String> differencesFrom(AbiDescription truth, String mirror) {
    List<String> out = new ArrayList<>();
    compare(out, mirror, "constant", truth.constants, constants);
    compare(out, mirror, "struct", truth.structs, structs);
    compare(out, mirror, "function", truth.functions, functions);
    return out;
  }

  private static <V> void compare(List<String> out, String mirror, String what, Map<String, V> truth, Map<String, V> seen) {
    for (Map.Entry<String, V> e : truth.entrySet()) {
      if (!seen.containsKey(e.getKey())) {
        out.add(mirror + " lacks " + what + " " + e.getKey() + " " + e.getValue());
      } else if (!Objects.equals(e.getValue(), seen.get(e.getKey()))) {
        out.add(mirror + ": " + what + " " + e.getKey() + " is " + seen.get(e.getKey()) + " but kernels.h says " + e.getValue());
      }
    }
    for (String name : seen.keySet()) {
      if (!truth.containsKey(name)) {
        out.add(mirror + " has " + what + " " + name + ", which kernels.h does not declare");
      }
    }
  }

  // ---------------------------------------------------------------------------------------------- kernels.h

  static AbiDescription fromHeader(String text) {
    String code = text.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\\n]*", " ");
    Map<String, Long> constants = new LinkedHashMap<>();
    Matcher define = Pattern.compile("#define\\s+(EXPRBERT_\\w+)\\s+(-?\\d+)").matcher(code);
    while (define.find()) {
      constants.put(define.group(1), Long.parseLong(define.group(2)));
    }
    Matcher enumeration = Pattern.compile("typedef\\s+enum\\s+\\w+\\s*\\{([^}]*)\\}").matcher(code);
    while (enumeration.find()) {
      for (String item : enumeration.group(1).split(",")) {
        String[] kv = item.split("=");
        if (kv.length == 2) {
          constants.put(kv[0].strip(), Long.parseLong(kv[1].strip()));
        }
      }
    }
    Map<String, List<String>> structs = new LinkedHashMap<>();
    Matcher struct = Pattern.compile("typedef\\s+struct\\s+(\\w+)\\s*\\{([^}]*)\\}").matcher(code);
    while (struct.find()) {
      List<String> fields = new ArrayList<>();
      for (String declaration : struct.group(2).split(";")) {
        if (declaration.isBlank()) {
          continue;
        }
        String[] declarators = declaration.strip().split(",");
        Matcher first = Pattern.compile("^(.*?[\\s*])(\\w+)$").matcher(declarators[0].strip());
        if (!first.matches()) {
          throw new IllegalStateException("cannot read the field declaration '" + declaration.strip() + "' in kernels.h");
        }
        String kind = cKind(first.group(1));
        fields.add(first.group(2) + ":" + kind);
        for (int d = 1; d < declarators.length; d++) {
          fields.add(declarators[d].strip() + ":" + kind);
        }
      }
      structs.put(struct.group(1), fields);
    }
    Map<String, List<String>> functions = new LinkedHashMap<>();
    Matcher function = Pattern.compile("EXPRBERT_API\\s+([^;(]*?)\\b(exprbert_\\w+)\\s*\\(([^)]*)\\)\\s*;").matcher(code);
    while (function.find()) {
      List<String> kinds = new ArrayList<>();
      kinds.add(cKind(function.group(1)));
      String args = function.group(3).strip();
      if (!args.equals("void") && !args.isEmpty()) {
        for (String arg : args.split(",")) {
          Matcher typed = Pattern.compile("^(.*?[\\s*])\\w+$").matcher(arg.strip());
          if (!typed.matches()) {
            throw new IllegalStateException("cannot read the argument '" + arg.strip() + "' of " + function.group(2));
          }
          kinds.add(cKind(typed.group(1)));
        }
      }
      functions.put(function.group(2), kinds);
    }
    return new AbiDescription(constants, structs, functions);
  }

  static String cKind(String type) {
    String t = type.replace("const", " ").strip();
    if (t.contains("*")) {
      return "ptr";
    }
    return switch (t) {
      case "int32_t", "int", "exprbert_status" -> "i32";
      case "int64_t" -> "i64";
      case "uint64_t" -> "u64";
      case "uint8_t" -> "u8";
      case "double" -> "f64";
      case "float" -> "f32";
      case "void" -> "void";
      default -> throw new IllegalStateException("no ABI kind for the C type '" + type.strip() + "'");
    };
  }

  // ---------------------------------------------------------------------------------------------- KernelsLibrary.java

  private static final Pattern CAST = Pattern.compile("@Cast\\(\"([^\"]*)\"\\)");

  static AbiDescription fromJavaBinding(String text) {
    Map<String, Long> constants = new LinkedHashMap<>();
    Matcher constant = Pattern.compile("public static final int (EXPRBERT_\\w+) = (-?\\d+);").matcher(text);
    while (constant.find()) {
      constants.put(constant.group(1), Long.parseLong(constant.group(2)));
    }
    Map<String, List<String>> functions = new LinkedHashMap<>();
    Matcher function = Pattern.compile("public static native (.*?)\\b(exprbert_\\w+)\\((.*?)\\);", Pattern.DOTALL)
        .matcher(text);
    while (function.find()) {
      List<String> kinds = new ArrayList<>();
      kinds.add(javaKind(function.group(1)));
      String args = function.group(3).replaceAll("\\s+", " ").strip();
      if (!args.isEmpty()) {
        for (String arg : args.split(",")) {
          String typed = arg.strip();
          kinds.add(javaKind(typed.substring(0, typed.lastIndexOf(' '))));
        }
      }
      functions.put(function.group(2), kinds);
    }
    Map<String, List<String>> structs = new LinkedHashMap<>();
    String[] parts = text.split("@Name\\(\"");
    for (int i = 1; i < parts.length; i++) {
      String name = parts[i].substring(0, parts[i].indexOf('"'));
      List<String> fields = new ArrayList<>();
      Matcher getter = Pattern.compile("public native (.*?)\\b(\\w+)\\(\\);").matcher(parts[i]);
      while (getter.find()) {
        fields.add(getter.group(2) + ":" + javaKind(getter.group(1)));
      }
      structs.put(name, fields);
    }
    return new AbiDescription(constants, structs, functions);
  }

  static String javaKind(String declaration) {
    Matcher cast = CAST.matcher(declaration);
    if (cast.find()) {
      return cKind(cast.group(1));
    }
    String type = declaration.replaceAll("@\\w+", " ").strip();
    return switch (type) {
      case "int" -> "i32";
      case "long" -> "i64";
      case "double" -> "f64";
      case "float" -> "f32";
      case "byte" -> "u8";
      case "void" -> "void";
      default -> "ptr"; // String, BytePointer, the struct classes and every other Pointer
    };
  }

  // ---------------------------------------------------------------------------------------------- exprbert_ctypes.py

  static AbiDescription fromCtypesMirror(String text) {
    Map<String, Long> constants = new LinkedHashMap<>();
    Matcher constant = Pattern.compile("(?m)^([A-Z][A-Z0-9_]*) = (-?\\d+)\\s*$").matcher(text);
    while (constant.find()) {
      constants.put("EXPRBERT_" + constant.group(1), Long.parseLong(constant.group(2)));
    }
    Map<String, List<String>> structs = new LinkedHashMap<>();
    Matcher struct = Pattern.compile("class (\\w+)\\(ctypes\\.Structure\\):\\s*_fields_ = \\[(.*?)\\n    \\]",
        Pattern.DOTALL).matcher(text);
    while (struct.find()) {
      List<String> fields = new ArrayList<>();
      Matcher field = Pattern.compile("\\(\"(\\w+)\", (.+?)\\),").matcher(struct.group(2));
      while (field.find()) {
        fields.add(field.group(1) + ":" + ctypesKind(field.group(2)));
      }
      structs.put(cStructName(struct.group(1)), fields);
    }
    Map<String, List<String>> functions = new LinkedHashMap<>();
    Matcher function = Pattern.compile("\"(exprbert_\\w+)\": \\((.+?), \\[(.*?)\\]\\),").matcher(text);
    while (function.find()) {
      List<String> kinds = new ArrayList<>();
      kinds.add(ctypesKind(function.group(2)));
      String args = function.group(3).strip();
      if (!args.isEmpty()) {
        for (String arg : splitTopLevel(args)) {
          kinds.add(ctypesKind(arg));
        }
      }
      functions.put(function.group(1), kinds);
    }
    return new AbiDescription(constants, structs, functions);
  }

  /** {@code GradNormParams} -> {@code exprbert_grad_norm_params}. */
  static String cStructName(String pythonClass) {
    return "exprbert_" + pythonClass.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
  }

  static String ctypesKind(String expression) {
    String e = expression.strip();
    if (e.equals("None")) {
      return "void";
    }
    if (e.equals("_p") || e.startsWith("ctypes.POINTER(") || e.equals("ctypes.c_void_p") || e.equals("ctypes.c_char_p")) {
      return "ptr";
    }
    return switch (e) {
      case "ctypes.c_int32" -> "i32";
      case "ctypes.c_int64" -> "i64";
      case "ctypes.c_uint64" -> "u64";
      case "ctypes.c_uint8" -> "u8";
      case "ctypes.c_double" -> "f64";
      case "ctypes.c_float" -> "f32";
      default -> throw new IllegalStateException("no ABI kind for the ctypes type '" + e + "'");
    };
  }

  private static List<String> splitTopLevel(String args) {
    List<String> out = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < args.length(); i++) {
      char c = args.charAt(i);
      depth += c == '(' ? 1 : c == ')' ? -1 : 0;
      if (c == ',' && depth == 0) {
        out.add(args.substring(start, i));
        start = i + 1;
      }
    }
    out.add(args.substring(start));
    return out;
  }
}
