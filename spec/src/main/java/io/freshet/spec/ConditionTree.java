package io.freshet.spec;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.types.CelKind;
import java.util.List;

/**
 * A CEL expression's checked syntax tree, as parsed and type-checked by CEL, turned into plain Java
 * nodes when it lies in a small subset where that cannot change its meaning: constants and inputs
 * of type int, double, string and bool, {@code &&}, {@code ||}, {@code !}, {@code ?:}, {@code ==}
 * and {@code !=} between values of one type, and {@code < <= > >=} between numbers. That is what
 * most expectation rules are ({@code country != 'US' || amount < 300.0}), and CEL's interpreter
 * costs about 300 ns per evaluation where these nodes cost a few. Anything else (arithmetic,
 * functions, macros, string ordering, an int input compared with a double) is left to CEL: {@link
 * #of} returns null.
 *
 * <p>Why the subset means the same: none of its operations can fail, so CEL's error-absorbing
 * {@code &&} and {@code ||} are plain short-circuits; numbers of one type compare as Java compares
 * them (IEEE 754 for doubles, as CEL); an int constant compared with a double becomes that double
 * only when it is exact (at most 2^53 in magnitude), so the comparison is CEL's exact one, and a
 * NaN there is handed to CEL ({@link NeedsCel}), which answers it in its own way. Inputs are never
 * null here: {@link Expression} does not evaluate over a null input. {@code ExpressionFastPathTest}
 * compares both on random inputs.
 */
final class ConditionTree {
  /** A node: its value over the inputs, by position. */
  interface Node {
    /**
     * @throws NeedsCel when these inputs are outside what the nodes decide alike
     */
    Object eval(Object[] in);
  }

  /**
   * Thrown by a node over inputs it does not decide as CEL does: then CEL evaluates the whole
   * expression. CEL's int-to-double comparison answers NaN in its own way ({@code 300 < x} is true
   * for a NaN x, {@code x < 300} false), so a comparison of an int constant with a NaN throws it.
   */
  static final class NeedsCel extends RuntimeException {
    static final NeedsCel INSTANCE = new NeedsCel();

    private NeedsCel() {
      super("evaluate with CEL", null, false, false);
    }
  }

  private static final long EXACT_DOUBLE_INT = 1L << 53;

  private final CelAbstractSyntaxTree ast;
  private final List<String> inputs;

  private ConditionTree(CelAbstractSyntaxTree ast, List<String> inputs) {
    this.ast = ast;
    this.inputs = inputs;
  }

  /**
   * The expression's nodes over inputs given in the order of {@code inputs}, or null when it lies
   * outside the subset.
   */
  static Node of(CelAbstractSyntaxTree ast, List<String> inputs) {
    return new ConditionTree(ast, inputs).node(ast.getExpr());
  }

  private CelKind kind(CelExpr e) {
    return ast.getType(e.id()).map(t -> t.kind()).orElse(CelKind.UNSPECIFIED);
  }

  private Node node(CelExpr e) {
    switch (e.getKind()) {
      case CONSTANT -> {
        Object v = constant(e.constant());
        return v == null ? null : in -> v;
      }
      case IDENT -> {
        int at = inputs.indexOf(e.ident().name());
        CelKind k = kind(e);
        if (at < 0
            || !(k == CelKind.INT
                || k == CelKind.DOUBLE
                || k == CelKind.STRING
                || k == CelKind.BOOL)) {
          return null;
        }
        return in -> in[at];
      }
      case CALL -> {
        return call(e);
      }
      default -> {
        return null;
      }
    }
  }

  private static Object constant(CelConstant c) {
    return switch (c.getKind()) {
      case BOOLEAN_VALUE -> c.booleanValue();
      case INT64_VALUE -> c.int64Value();
      case DOUBLE_VALUE -> c.doubleValue();
      case STRING_VALUE -> c.stringValue();
      default -> null;
    };
  }

  private Node call(CelExpr e) {
    CelExpr.CelCall call = e.call();
    if (call.target().isPresent()) {
      return null;
    }
    List<CelExpr> args = call.args();
    switch (call.function()) {
      case "_&&_", "_||_" -> {
        Node a = boolNode(args.get(0));
        Node b = boolNode(args.get(1));
        if (a == null || b == null) {
          return null;
        }
        return call.function().equals("_&&_")
            ? in -> (Boolean) a.eval(in) ? b.eval(in) : Boolean.FALSE
            : in -> (Boolean) a.eval(in) ? Boolean.TRUE : b.eval(in);
      }
      case "!_" -> {
        Node a = boolNode(args.get(0));
        return a == null ? null : in -> (Boolean) a.eval(in) ? Boolean.FALSE : Boolean.TRUE;
      }
      case "_?_:_" -> {
        Node c = boolNode(args.get(0));
        Node a = node(args.get(1));
        Node b = node(args.get(2));
        if (c == null || a == null || b == null) {
          return null;
        }
        return in -> (Boolean) c.eval(in) ? a.eval(in) : b.eval(in);
      }
      case "_==_", "_!=_", "_<_", "_<=_", "_>_", "_>=_" -> {
        return comparison(call.function(), args.get(0), args.get(1));
      }
      default -> {
        return null;
      }
    }
  }

  private Node boolNode(CelExpr e) {
    return kind(e) == CelKind.BOOL ? node(e) : null;
  }

  private Node comparison(String op, CelExpr left, CelExpr right) {
    CelKind lk = kind(left);
    CelKind rk = kind(right);
    Node l = node(left);
    Node r = node(right);
    if (l == null || r == null) {
      return null;
    }
    boolean mixed = lk != rk;
    if (mixed) {
      // an int constant against a double: the same comparison on the exact double, but for NaN
      if (lk == CelKind.INT && rk == CelKind.DOUBLE) {
        l = exactDouble(left);
        lk = CelKind.DOUBLE;
      } else if (lk == CelKind.DOUBLE && rk == CelKind.INT) {
        r = exactDouble(right);
        rk = CelKind.DOUBLE;
      }
      if (l == null || r == null || lk != rk) {
        return null;
      }
    }
    Node lv = l;
    Node rv = r;
    Node a = mixed ? in -> notNan(lv.eval(in)) : lv;
    Node b = mixed ? in -> notNan(rv.eval(in)) : rv;
    boolean equality = op.equals("_==_") || op.equals("_!=_");
    switch (lk) {
      case INT -> {
        return switch (op) {
          case "_==_" -> in -> integer(a, in) == integer(b, in);
          case "_!=_" -> in -> integer(a, in) != integer(b, in);
          case "_<_" -> in -> integer(a, in) < integer(b, in);
          case "_<=_" -> in -> integer(a, in) <= integer(b, in);
          case "_>_" -> in -> integer(a, in) > integer(b, in);
          default -> in -> integer(a, in) >= integer(b, in);
        };
      }
      case DOUBLE -> {
        return switch (op) {
          case "_==_" -> in -> number(a, in) == number(b, in);
          case "_!=_" -> in -> number(a, in) != number(b, in);
          case "_<_" -> in -> number(a, in) < number(b, in);
          case "_<=_" -> in -> number(a, in) <= number(b, in);
          case "_>_" -> in -> number(a, in) > number(b, in);
          default -> in -> number(a, in) >= number(b, in);
        };
      }
      case STRING, BOOL -> {
        if (!equality) {
          return null; // CEL orders strings by code point, Java by UTF-16 unit: leave it to CEL
        }
        return op.equals("_==_")
            ? in -> a.eval(in).equals(b.eval(in))
            : in -> !a.eval(in).equals(b.eval(in));
      }
      default -> {
        return null;
      }
    }
  }

  private static Object notNan(Object v) {
    if (v instanceof Double d && d.isNaN()) {
      throw NeedsCel.INSTANCE;
    }
    return v;
  }

  private static long integer(Node n, Object[] in) {
    return ((Number) n.eval(in)).longValue();
  }

  private static double number(Node n, Object[] in) {
    return ((Number) n.eval(in)).doubleValue();
  }

  /** An int constant as a double node when the double is exact, else null. */
  private static Node exactDouble(CelExpr e) {
    if (e.getKind() != CelExpr.ExprKind.Kind.CONSTANT
        || e.constant().getKind() != CelConstant.Kind.INT64_VALUE) {
      return null;
    }
    long v = e.constant().int64Value();
    if (v > EXACT_DOUBLE_INT || v < -EXACT_DOUBLE_INT) {
      return null;
    }
    Double d = (double) v;
    return in -> d;
  }
}
