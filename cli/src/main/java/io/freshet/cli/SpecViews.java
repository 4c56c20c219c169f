package io.freshet.cli;

import io.freshet.spec.FeatureSpec;
import io.freshet.spec.ViewSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The views of a spec a command works on: all of them, or those named by its --view options. */
final class SpecViews {
  private SpecViews() {}

  /**
   * The views of {@code spec} named in {@code names} (in the spec's order), or all of them when
   * {@code names} is empty; a name the spec lacks is an error that lists its views.
   */
  static List<ViewSpec> chosen(FeatureSpec spec, Path specFile, List<String> names) {
    for (String name : names) {
      if (spec.views().stream().noneMatch(v -> v.name().equals(name))) {
        throw new CliException(
            "view '"
                + name
                + "' is not in "
                + specFile
                + " (views: "
                + spec.views().stream().map(ViewSpec::name).toList()
                + ")");
      }
    }
    List<ViewSpec> out = new ArrayList<>();
    for (ViewSpec v : spec.views()) {
      if (names.isEmpty() || names.contains(v.name())) {
        out.add(v);
      }
    }
    return out;
  }
}
