package io.freshet.spec;

import java.util.List;

/**
 * What a spec says about a view or a feature for the people who find it: a description, an owner
 * and tags. Never part of a definition or of the spec version: changing them changes no value.
 *
 * @param description what it is and how to use it, or null
 * @param owner who to ask (a team, an address), or null
 * @param tags labels to search by, possibly empty
 */
public record Docs(String description, String owner, List<String> tags)
    implements java.io.Serializable {
  /** Nothing said. */
  public static final Docs NONE = new Docs(null, null, List.of());

  public Docs {
    tags = List.copyOf(tags);
  }

  public boolean isEmpty() {
    return description == null && owner == null && tags.isEmpty();
  }
}
