package io.freshet.spec;

import static io.freshet.spec.YamlWalker.quote;
import static io.freshet.spec.YamlWalker.scalarText;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;

/**
 * The rules of a view's {@code expectations:}: one entry per source field, min and max only on
 * numeric fields and in order, and a null rate that is a fraction.
 */
final class ExpectationRules {

  private static final List<String> EXPECTATION_KEYS =
      List.of("min", "max", "max_null_rate", "allowed", "dead_letter");

  private static final List<String> RULE_KEYS = List.of("name", "expr", "dead_letter");

  private final YamlWalker in;
  private final SourceSchema schema;

  /**
   * @param schema the source's schema, or null if it has errors (no expectation is then valid)
   */
  ExpectationRules(YamlWalker in, SourceSchema schema) {
    this.in = in;
    this.schema = schema;
  }

  /** The expectations (none if the node is absent), or null after reporting any problem. */
  List<Expectation> expectations(Node node, String path) {
    if (node == null) {
      return List.of();
    }
    if (!(node instanceof MappingNode map)) {
      in.error(
          node,
          path,
          "expectations is a mapping from source field to checks, e.g. amount: {min: 0,"
              + " max_null_rate: 0.02}");
      return null;
    }
    List<Expectation> out = new ArrayList<>();
    boolean ok = true;
    Map<String, Node> seen = new HashMap<>();
    for (NodeTuple t : map.getValue()) {
      Expectation e = expectation(t, path, seen);
      if (e == null) {
        ok = false;
      } else {
        out.add(e);
      }
    }
    return ok ? out : null;
  }

  /** The checks on one field, or null after reporting any problem with them. */
  private Expectation expectation(NodeTuple t, String path, Map<String, Node> seen) {
    String fieldName = in.keyName(t.getKeyNode(), path);
    if (fieldName == null) {
      return null;
    }
    String fp = path + "." + fieldName;
    if (!in.unique(
        seen, fieldName, t.getKeyNode(), fp, "expectations for", "; merge them into one mapping")) {
      return null;
    }
    // without the source's schema the field cannot be checked; that error is at the source
    Schema.Field field = schema == null ? null : schema.field(in, t.getKeyNode(), fp, fieldName);
    boolean ok = field != null;
    YamlWalker.Fields f =
        in.fields(
            t.getValueNode(),
            fp,
            EXPECTATION_KEYS,
            "an expectation is a mapping such as {min: 0, max: 100000, max_null_rate: 0.02}");
    if (f == null) {
      return null;
    }
    Node allowedNode = f.get("allowed");
    List<String> allowed = new ArrayList<>();
    if (allowedNode != null) {
      org.yaml.snakeyaml.nodes.SequenceNode seq =
          in.sequence(allowedNode, fp + ".allowed", "allowed is a list of values, e.g. [EUR, USD]");
      if (seq == null) {
        ok = false;
      } else {
        for (int i = 0; i < seq.getValue().size(); i++) {
          String v = in.string(seq.getValue().get(i), fp + ".allowed[" + i + "]");
          if (v == null) {
            ok = false;
          } else {
            allowed.add(v);
          }
        }
      }
      Optional<ValueType> vt =
          field == null ? Optional.empty() : AvroTypes.valueType(field.schema());
      if (field != null && (vt.isEmpty() || vt.get() != ValueType.STRING)) {
        in.error(
            allowedNode,
            fp + ".allowed",
            "allowed applies to string fields, but "
                + quote(fieldName)
                + " is "
                + AvroTypes.describe(field.schema())
                + "; use min and max for numbers");
        ok = false;
      }
    }
    Node deadNode = f.get("dead_letter");
    Boolean dead = deadNode == null ? Boolean.FALSE : in.bool(deadNode, fp + ".dead_letter");
    ok &= dead != null;
    Node minNode = f.get("min");
    Node maxNode = f.get("max");
    Node nullRateNode = f.get("max_null_rate");
    Double min = in.number(minNode, fp + ".min");
    Double max = in.number(maxNode, fp + ".max");
    Double nullRate = in.number(nullRateNode, fp + ".max_null_rate");
    ok &= (minNode == null || min != null) && (maxNode == null || max != null);
    ok &= nullRateNode == null || nullRate != null;
    if (min != null && max != null && min > max) {
      in.error(
          minNode,
          fp + ".min",
          "min "
              + scalarText(minNode)
              + " is greater than max "
              + scalarText(maxNode)
              + "; swap them or fix one");
      ok = false;
    }
    if (nullRate != null && !(nullRate >= 0 && nullRate <= 1)) {
      in.error(
          nullRateNode,
          fp + ".max_null_rate",
          "max_null_rate is a fraction in [0, 1], e.g. 0.02 for 2%; got "
              + scalarText(nullRateNode));
      ok = false;
    }
    if (field != null && (minNode != null || maxNode != null)) {
      Optional<ValueType> vt = AvroTypes.valueType(field.schema());
      if (vt.isEmpty() || !vt.get().isNumeric()) {
        in.error(
            minNode != null ? minNode : maxNode,
            fp + (minNode != null ? ".min" : ".max"),
            "min and max apply to numeric fields, but "
                + quote(fieldName)
                + " is "
                + AvroTypes.describe(field.schema())
                + "; keep only max_null_rate for it");
        ok = false;
      }
    }
    return ok ? new Expectation(fieldName, min, max, nullRate, allowed, dead) : null;
  }

  /**
   * The view's {@code rules:} (cross-field expectations: CEL over the source's scalar fields,
   * giving a bool), none if absent, or null after reporting any problem.
   */
  List<ExpectationRule> rules(Node node, String path) {
    List<ExpectationRule> out = new ArrayList<>();
    if (node == null) {
      return out;
    }
    org.yaml.snakeyaml.nodes.SequenceNode seq =
        in.sequence(
            node,
            path,
            "rules is a list, e.g. - {name: same_country, expr: \"billing_country =="
                + " card_country\"}");
    if (seq == null) {
      return null;
    }
    Map<String, ValueType> inputs = schema == null ? null : schema.scalarFields();
    boolean ok = true;
    Map<String, Node> seen = new HashMap<>();
    for (int i = 0; i < seq.getValue().size(); i++) {
      String rp = path + "[" + i + "]";
      YamlWalker.Fields f =
          in.fields(
              seq.getValue().get(i),
              rp,
              RULE_KEYS,
              "a rule is a mapping such as {name: same_country, expr: \"a == b\"}");
      if (f == null) {
        ok = false;
        continue;
      }
      Node nameNode = f.required("name", "e.g. name: same_country");
      String name = in.name(nameNode, rp + ".name", false);
      if (name != null && !in.unique(seen, name, nameNode, rp + ".name", "rule", "")) {
        name = null;
      }
      Node exprNode = f.required("expr", "a condition in CEL, e.g. expr: \"amount >= 0\"");
      String text = in.string(exprNode, rp + ".expr");
      Node deadNode = f.get("dead_letter");
      Boolean dead = deadNode == null ? Boolean.FALSE : in.bool(deadNode, rp + ".dead_letter");
      if (name == null || text == null || dead == null || inputs == null) {
        ok = false;
        continue;
      }
      Expression e = in.expression(exprNode, rp + ".expr", text, inputs);
      if (e == null) {
        ok = false;
      } else if (e.type() != ValueType.BOOLEAN) {
        in.error(
            exprNode,
            rp + ".expr",
            "a rule is a condition (true when the record is as expected), but this expression"
                + " gives a "
                + e.type().name().toLowerCase(java.util.Locale.ROOT));
        ok = false;
      } else {
        out.add(new ExpectationRule(name, e, dead));
      }
    }
    return ok ? out : null;
  }
}
