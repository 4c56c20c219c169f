package io.freshet.spec;

import io.freshet.store.StoreColumn;
import java.io.StringReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads values out of one composed YAML document and collects a {@link SpecError} for every
 * problem, located at the offending node's line and column and named by its field path.
 *
 * <p>Each reader returns null after reporting why there is no value, so that the rules built on it
 * can carry on and report every other problem in the same pass. The walker knows the shapes and
 * scalar kinds of specs (names, durations, numbers); what a spec must contain is the rules' part.
 */
final class YamlWalker {
  private final Path file;
  private final List<SpecError> errors = new ArrayList<>();

  /**
   * @param file the spec's file, named in every error; null if the spec was not read from a file
   */
  YamlWalker(Path file) {
    this.file = file;
  }

  Path file() {
    return file;
  }

  /**
   * The document's root node, null for an empty document. If the text is not YAML, the error is
   * reported and {@link #hasErrors} is true.
   */
  Node compose(String yaml) {
    try {
      return new Yaml().compose(new StringReader(yaml));
    } catch (MarkedYAMLException e) {
      Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
      String context = e.getContext() != null ? " (" + e.getContext() + ")" : "";
      errorAt(m, "", "not valid YAML: " + problem + context);
    } catch (YAMLException e) {
      errorAt(null, "", "not valid YAML: " + e.getMessage());
    }
    return null;
  }

  boolean hasErrors() {
    return !errors.isEmpty();
  }

  /** Every error reported so far, in file order (errors at one position in reporting order). */
  List<SpecError> errors() {
    List<SpecError> sorted = new ArrayList<>(errors);
    sorted.sort(SpecError.BY_POSITION);
    return List.copyOf(sorted);
  }

  /** Reports a problem at a node; a null node stands for the start of the document. */
  void error(Node at, String path, String message) {
    errorAt(at == null ? null : at.getStartMark(), path, message);
  }

  /** Snakeyaml counts from 0, editors and compilers from 1; an unknown place is 1:1. */
  private void errorAt(Mark m, String path, String message) {
    errors.add(
        new SpecError(
            file,
            m == null ? 1 : m.getLine() + 1,
            m == null ? 1 : m.getColumn() + 1,
            path,
            message));
  }

  // ---------------------------------------------------------------- shapes

  /** A mapping's entries, checked against the keys it may have. */
  final class Fields {
    private final MappingNode node;
    private final String path;
    private final Map<String, NodeTuple> entries = new LinkedHashMap<>();

    /** Keys suggested for unknown keys: the unknown-key error already says they are missing. */
    private final Set<String> suggested = new HashSet<>();

    private Fields(MappingNode node, String path, List<String> allowed) {
      this.node = node;
      this.path = path;
      for (NodeTuple t : node.getValue()) {
        String key = keyName(t.getKeyNode(), path);
        if (key == null) {
          continue;
        }
        String kp = join(path, key);
        NodeTuple first = entries.get(key);
        if (first != null) {
          error(
              t.getKeyNode(),
              kp,
              "duplicate key "
                  + key
                  + " (first on line "
                  + line(first.getKeyNode())
                  + "); keep one");
        } else if (!allowed.contains(key)) {
          Optional<String> meant = Suggestions.suggestion(key, allowed, Suggestions.KEY_ALIASES);
          meant.ifPresent(suggested::add);
          error(
              t.getKeyNode(),
              kp,
              "unknown key "
                  + quote(key)
                  + Suggestions.didYouMean(meant)
                  + "; allowed here: "
                  + String.join(", ", allowed));
        } else {
          entries.put(key, t);
        }
      }
    }

    Node get(String key) {
      NodeTuple t = entries.get(key);
      return t == null ? null : t.getValueNode();
    }

    Node keyNode(String key) {
      NodeTuple t = entries.get(key);
      return t == null ? null : t.getKeyNode();
    }

    /** The value of a required key, or null after reporting it missing. */
    Node required(String key, String hint) {
      Node v = get(key);
      if (v == null && !suggested.contains(key)) {
        error(node, join(path, key), "missing required key " + key + "; " + hint);
      }
      return v;
    }

    /** An optional duration, {@code dflt} if absent, null after reporting it invalid. */
    Duration durationOr(String key, boolean positive, Duration dflt) {
      Node n = get(key);
      return n == null ? dflt : duration(n, join(path, key), positive);
    }
  }

  /**
   * The entries of a mapping, or null after reporting that the node is not one.
   *
   * @param shape what the node should be, e.g. "a view is a mapping with name, ttl and features"
   */
  Fields fields(Node node, String path, List<String> allowed, String shape) {
    if (node instanceof MappingNode map) {
      return new Fields(map, path, allowed);
    }
    error(node, path, shape + ", but found " + describeNode(node));
    return null;
  }

  /** The node as a list, or null after reporting that it is not one. */
  SequenceNode sequence(Node node, String path, String shape) {
    if (node instanceof SequenceNode seq) {
      return seq;
    }
    if (isNull(node)) {
      error(node, path, "has no value; " + shape);
    } else {
      error(node, path, shape + ", but found " + describeNode(node));
    }
    return null;
  }

  /** The text of a mapping key, or null after reporting that it is not a plain name. */
  String keyName(Node key, String path) {
    if (key instanceof ScalarNode s && !isNull(s)) {
      return s.getValue();
    }
    error(key, path, "keys must be plain names, but found " + describeNode(key));
    return null;
  }

  /**
   * The {@code description}, {@code owner} and {@code tags} of a view or feature, or null after
   * reporting what is wrong with them.
   */
  Docs docs(Fields f, String path) {
    boolean ok = true;
    String description = null;
    String owner = null;
    if (f.get("description") != null) {
      description = string(f.get("description"), path + ".description");
      ok &= description != null;
    }
    if (f.get("owner") != null) {
      owner = string(f.get("owner"), path + ".owner");
      ok &= owner != null;
    }
    List<String> tags = new ArrayList<>();
    Node tagsNode = f.get("tags");
    if (tagsNode != null) {
      SequenceNode seq =
          sequence(
              tagsNode, path + ".tags", "tags is a list of words, e.g. tags: [fraud, velocity]");
      if (seq == null) {
        ok = false;
      } else {
        for (int i = 0; i < seq.getValue().size(); i++) {
          String tag = string(seq.getValue().get(i), path + ".tags[" + i + "]");
          if (tag == null) {
            ok = false;
          } else if (!tags.contains(tag)) {
            tags.add(tag);
          }
        }
      }
    }
    return ok ? new Docs(description, owner, tags) : null;
  }

  // ---------------------------------------------------------------- scalars

  /** The text of a scalar, or null after reporting why there is none (null if node is null). */
  String string(Node node, String path) {
    if (node == null) {
      return null;
    }
    if (!(node instanceof ScalarNode s)) {
      error(node, path, "must be a single value, but found " + describeNode(node));
      return null;
    }
    if (isNull(s) || s.getValue().isBlank()) {
      error(node, path, "has no value; write one after the colon");
      return null;
    }
    return s.getValue().trim();
  }

  /**
   * A name that becomes a Cassandra/Iceberg identifier ({@link SpecParser#NAME}), or null after
   * reporting it.
   *
   * @param column whether the name becomes a column next to {@link StoreColumn#NAMES}
   */
  String name(Node node, String path, boolean column) {
    String name = string(node, path);
    if (name == null) {
      return null;
    }
    if (!SpecParser.NAME.matcher(name).matches()) {
      error(
          node,
          path,
          quote(name)
              + " is not a valid name; names become Cassandra and Iceberg table and column"
              + " names, so use lowercase letters, digits and _, starting with a letter (e.g. "
              + quote(Suggestions.suggestName(name))
              + ")");
      return null;
    }
    if (column && StoreColumn.NAMES.contains(name)) {
      error(
          node,
          path,
          quote(name)
              + " is a column Freshet uses itself ("
              + String.join(", ", StoreColumn.NAMES.stream().sorted().toList())
              + "); choose another name, e.g. "
              + quote(name + "_value"));
      return null;
    }
    return name;
  }

  /** A spec duration ({@link Durations}), or null after reporting why it is not one. */
  Duration duration(Node node, String path, boolean positive) {
    String text = string(node, path);
    if (text == null) {
      return null;
    }
    Optional<Duration> d = Durations.tryParse(text);
    if (d.isEmpty()) {
      String hint = "";
      if (text.matches("\\d+")) {
        hint = " (a unit is required)";
      } else if (text.matches("\\d*\\.\\d+\\s*(ms|s|m|h|d)")) {
        hint = " (whole numbers only: write 1.5h as 90m)";
      } else if (text.matches("-.*")) {
        hint = " (durations cannot be negative)";
      } else if (text.matches("(?i)\\d+\\s*[a-z]+")) {
        hint = " (the units are ms, s, m, h and d)";
      }
      error(
          node, path, quote(text) + " is not a duration" + hint + "; write e.g. 30s, 10m, 1h, 7d");
      return null;
    }
    if (positive && d.get().isZero()) {
      error(node, path, "must be positive; write e.g. 30s, 10m, 1h, 7d");
      return null;
    }
    return d.get();
  }

  /**
   * {@code text} compiled as an expression over {@code inputs}, or null after reporting why it does
   * not compile (at {@code node}, with the column in the expression).
   */
  Expression expression(Node node, String path, String text, Map<String, ValueType> inputs) {
    try {
      return Expression.compile(text, inputs);
    } catch (Expression.Invalid x) {
      error(
          node,
          path,
          (x.column() > 0 ? "at column " + x.column() + " of the expression: " : "")
              + x.getMessage());
      return null;
    }
  }

  /** true or false, or null after reporting another value. */
  Boolean bool(Node node, String path) {
    String text = string(node, path);
    if (text == null) {
      return null;
    }
    if (text.equalsIgnoreCase("true")) {
      return true;
    }
    if (text.equalsIgnoreCase("false")) {
      return false;
    }
    error(node, path, "must be true or false, but is " + quote(text));
    return null;
  }

  /** A finite number, or null after reporting why it is not one (null if node is null). */
  Double number(Node node, String path) {
    String text = string(node, path);
    if (text == null) {
      return null;
    }
    String t = text;
    Tag tag = node.getTag();
    if (Tag.INT.equals(tag) || Tag.FLOAT.equals(tag)) {
      t = t.replace("_", "");
    }
    try {
      double v = Double.parseDouble(t);
      if (Double.isFinite(v)) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    error(node, path, quote(text) + " is not a number; write e.g. 0, 0.95 or 100000");
    return null;
  }

  // ---------------------------------------------------------------- text for messages

  static boolean isNull(Node node) {
    return node instanceof ScalarNode s && Tag.NULL.equals(s.getTag());
  }

  static String describeNode(Node node) {
    if (node instanceof MappingNode) {
      return "a mapping";
    }
    if (node instanceof SequenceNode) {
      return "a list";
    }
    if (isNull(node)) {
      return "nothing";
    }
    return node instanceof ScalarNode s ? "the value " + quote(s.getValue()) : "something else";
  }

  /**
   * Whether {@code name} is new among one list's or mapping's names ({@code seen}, which then
   * remembers it); if not, reports {@code duplicate <what> "<name>" (first declared on line N)}
   * followed by {@code advice}.
   */
  boolean unique(
      Map<String, Node> seen, String name, Node node, String path, String what, String advice) {
    Node first = seen.putIfAbsent(name, node);
    if (first == null) {
      return true;
    }
    error(
        node,
        path,
        "duplicate "
            + what
            + " "
            + quote(name)
            + " (first declared on line "
            + line(first)
            + ")"
            + advice);
    return false;
  }

  /** A scalar's text as written, for quoting it back in a message. */
  static String scalarText(Node node) {
    return node instanceof ScalarNode s ? s.getValue() : "?";
  }

  /** The 1-based line a node starts on. */
  static int line(Node node) {
    return node.getStartMark() == null ? 1 : node.getStartMark().getLine() + 1;
  }

  static String join(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  static String quote(String s) {
    return "\"" + s + "\"";
  }
}
