package io.freshet.spec;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A parsed and validated feature spec: one source and its views. Build it with {@link SpecParser};
 * every instance has passed validation.
 *
 * @param file where it was read from (for messages), or null
 */
public record FeatureSpec(Path file, SourceSpec source, List<ViewSpec> views) {

  public FeatureSpec {
    views = List.copyOf(views);
  }

  /** The same views on another source definition. */
  public FeatureSpec withSource(SourceSpec newSource) {
    return new FeatureSpec(file, newSource, views);
  }

  public Optional<ViewSpec> view(String name) {
    return views.stream().filter(v -> v.name().equals(name)).findFirst();
  }
}
