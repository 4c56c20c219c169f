package io.freshet.spec;

/**
 * A feature computed when it is read, from the view's stored features and the fields of the request
 * (in training sets: the spine's columns of those names), by its {@link Expression}. Nothing of it
 * is stored: the job never sees it, so it is not part of the view's version.
 *
 * @param name the feature's name, unique among the view's features and request fields
 * @param expression what it computes; its type is the feature's type
 * @param docs its description, owner and tags
 */
public record RequestFeature(String name, Expression expression, Docs docs)
    implements java.io.Serializable {

  public RequestFeature {
    docs = docs == null ? Docs.NONE : docs;
  }

  public ValueType type() {
    return expression.type();
  }
}
