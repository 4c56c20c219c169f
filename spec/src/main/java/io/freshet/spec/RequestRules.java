package io.freshet.spec;

import static io.freshet.spec.YamlWalker.quote;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * The rules of a view's {@code request_fields:} and {@code request_features:}: field names and
 * feature names are valid, unique and distinct from the stored features' names; field types are
 * long, double, string or boolean; each expression compiles over the stored features and the
 * request fields.
 */
final class RequestRules {

  private static final List<String> FEATURE_KEYS =
      List.of("name", "expr", "description", "owner", "tags");

  private final YamlWalker in;

  RequestRules(YamlWalker in) {
    this.in = in;
  }

  /** The request fields (none if absent), or null after reporting any problem. */
  Map<String, ValueType> fields(Node node, String path, List<FeatureDef> stored) {
    Map<String, ValueType> out = new LinkedHashMap<>();
    if (node == null) {
      return out;
    }
    if (!(node instanceof MappingNode map)) {
      in.error(
          node,
          path,
          "request_fields is a mapping from field name to type, e.g. {amount: double, country:"
              + " string}");
      return null;
    }
    boolean ok = true;
    Map<String, Node> seen = new HashMap<>();
    for (NodeTuple t : map.getValue()) {
      String name = in.name(t.getKeyNode(), path, true);
      if (name == null) {
        ok = false;
        continue;
      }
      String fp = path + "." + name;
      if (!in.unique(seen, name, t.getKeyNode(), fp, "request field", "")) {
        ok = false;
        continue;
      }
      if (stored.stream().anyMatch(f -> f.name().equals(name))) {
        in.error(
            t.getKeyNode(),
            fp,
            "request field "
                + quote(name)
                + " has the name of a stored feature of this view; rename one of them");
        ok = false;
        continue;
      }
      String typeName = in.string(t.getValueNode(), fp);
      ValueType type = typeName == null ? null : type(typeName);
      if (typeName != null && type == null) {
        in.error(
            t.getValueNode(),
            fp,
            "unknown type "
                + quote(typeName)
                + "; a request field is long, double, string or boolean");
      }
      if (type == null) {
        ok = false;
      } else {
        out.put(name, type);
      }
    }
    return ok ? out : null;
  }

  private static ValueType type(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "long", "int" -> ValueType.LONG;
      case "double", "float" -> ValueType.DOUBLE;
      case "string" -> ValueType.STRING;
      case "boolean", "bool" -> ValueType.BOOLEAN;
      default -> null;
    };
  }

  /**
   * The request-time features (none if absent), or null after reporting any problem.
   *
   * @param inputs what their expressions may read: stored features and request fields, or null when
   *     those have errors (the expressions are then not compiled)
   */
  List<RequestFeature> features(Node node, String path, Map<String, ValueType> inputs) {
    List<RequestFeature> out = new ArrayList<>();
    if (node == null) {
      return out;
    }
    SequenceNode seq =
        in.sequence(
            node,
            path,
            "request_features is a list, e.g. - {name: amount_vs_avg, expr: \"amount /"
                + " amount_avg_7d\"}");
    if (seq == null) {
      return null;
    }
    boolean ok = true;
    Map<String, Node> seen = new HashMap<>();
    for (int i = 0; i < seq.getValue().size(); i++) {
      RequestFeature f = feature(seq.getValue().get(i), path + "[" + i + "]", inputs, seen);
      if (f == null) {
        ok = false;
      } else {
        out.add(f);
      }
    }
    return ok ? out : null;
  }

  private RequestFeature feature(
      Node node, String path, Map<String, ValueType> inputs, Map<String, Node> seen) {
    YamlWalker.Fields f =
        in.fields(
            node,
            path,
            FEATURE_KEYS,
            "a request feature is a mapping such as {name: amount_vs_avg, expr: \"amount /"
                + " amount_avg_7d\"}");
    if (f == null) {
      return null;
    }
    Node nameNode = f.required("name", "e.g. name: amount_vs_avg");
    String name = in.name(nameNode, path + ".name", true);
    boolean ok = name != null;
    if (name != null) {
      if (!in.unique(seen, name, nameNode, path + ".name", "request feature", "")) {
        ok = false;
      } else if (inputs != null && inputs.containsKey(name)) {
        in.error(
            nameNode,
            path + ".name",
            quote(name)
                + " is already a stored feature or request field of this view; give the request"
                + " feature its own name");
        ok = false;
      }
    }
    Node exprNode =
        f.required(
            "expr", "the formula in CEL over features and request fields, e.g. expr: \"a / b\"");
    String text = in.string(exprNode, path + ".expr");
    Docs docs = in.docs(f, path);
    if (text == null || docs == null || inputs == null) {
      return null;
    }
    Expression e = in.expression(exprNode, path + ".expr", text, inputs);
    return ok && e != null ? new RequestFeature(name, e, docs) : null;
  }
}
