package io.freshet.spec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads a feature spec (YAML) into a validated {@link FeatureSpec}.
 *
 * <p>Validation is complete rather than fail-fast: every problem in the file is collected as a
 * {@link SpecError} with its line, column and field path, and a message that says what to fix.
 * {@link #parse} throws a {@link SpecException} carrying all of them; {@link #validate} returns
 * them. A spec that parses without errors satisfies every rule in docs/spec-reference.md, so the
 * jobs, the serving client and the training-set builder can trust the model without checking again.
 *
 * <p>The work is split by concern: {@link YamlWalker} reads nodes and locates errors, {@link
 * SourceRules}, {@link ViewRules}, {@link FeatureRules}, {@link AggregationRules} and {@link
 * ExpectationRules} hold the rules of each part of a spec, and {@link Suggestions} the "did you
 * mean" hints.
 */
public final class SpecParser {

  /** Names that become Cassandra/Iceberg identifiers. */
  static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");

  private static final List<String> TOP_KEYS = List.of("source", "views");

  private SpecParser() {}

  /**
   * Reads and validates a spec file.
   *
   * @throws SpecException with every error found, if the spec is not valid or cannot be read
   */
  public static FeatureSpec parse(Path file) {
    return orThrow(run(file));
  }

  /**
   * Validates spec text as if it had been read from {@code file}: the file names it in messages and
   * its directory is where the schema is looked up first.
   *
   * @param file the spec's file, or null (schemas are then looked up from the working directory)
   * @throws SpecException with every error found
   */
  public static FeatureSpec parse(Path file, String yaml) {
    return orThrow(run(file, yaml));
  }

  /**
   * Validates spec text as {@link #parse(Path, String)} does, with the source's Avro schema given
   * as text instead of looked up ({@link SpecBundle}: a spec shipped with a job to a JobManager
   * that has neither file).
   *
   * @throws SpecException with every error found
   */
  static FeatureSpec parse(Path file, String yaml, String schemaText) {
    return orThrow(run(file, yaml, schemaText));
  }

  /** Validates a spec file; returns every error found in file order, empty if it is valid. */
  public static List<SpecError> validate(Path file) {
    return run(file).errors;
  }

  /** Validates spec text as {@link #parse(Path, String)} does, without throwing. */
  public static List<SpecError> validate(Path file, String yaml) {
    return run(file, yaml).errors;
  }

  /**
   * The value type a feature reads from an Avro field: int, long and timestamps are {@code LONG},
   * float and double {@code DOUBLE}, string and enum {@code STRING}, boolean {@code BOOLEAN}; a
   * nullable union of one of these has that type. Anything else cannot be read.
   */
  public static Optional<ValueType> valueType(Schema fieldSchema) {
    return AvroTypes.valueType(fieldSchema);
  }

  private record Result(FeatureSpec spec, List<SpecError> errors) {}

  private static Result run(Path file) {
    String yaml;
    try {
      yaml = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      String why =
          Files.exists(file)
              ? "cannot read the spec file: " + e
              : "spec file not found (working directory is " + Path.of("").toAbsolutePath() + ")";
      return new Result(null, List.of(new SpecError(file, 1, 1, "", why)));
    }
    return run(file, yaml);
  }

  private static Result run(Path file, String yaml) {
    return run(file, yaml, null);
  }

  /**
   * One validation pass over one document; collects errors instead of stopping at the first.
   *
   * @param schemaText the source's schema, or null to look up what {@code schema:} names
   */
  private static Result run(Path file, String yaml, String schemaText) {
    YamlWalker in = new YamlWalker(file);
    Node root = in.compose(yaml);
    FeatureSpec spec = in.hasErrors() ? null : document(in, root, schemaText);
    List<SpecError> errors = in.errors();
    return new Result(errors.isEmpty() ? spec : null, errors);
  }

  private static FeatureSpec orThrow(Result r) {
    if (!r.errors.isEmpty()) {
      throw new SpecException(r.errors);
    }
    return r.spec;
  }

  private static FeatureSpec document(YamlWalker in, Node root, String schemaText) {
    if (root == null || YamlWalker.isNull(root)) {
      in.error(null, "", "the spec is empty; it needs a source: and a list of views:");
      return null;
    }
    YamlWalker.Fields top =
        in.fields(root, "", TOP_KEYS, "a spec is a mapping with the keys source: and views:");
    if (top == null) {
      return null;
    }
    SourceRules.Source source =
        new SourceRules(in, schemaText)
            .source(top.required("source", "declare the event source (see docs)"));
    Node viewsNode = top.required("views", "declare at least one view");
    List<ViewSpec> views =
        new ViewRules(in, source == null ? null : source.schema()).views(viewsNode);
    if (source == null || source.spec() == null || views == null) {
      return null;
    }
    return new FeatureSpec(in.file(), source.spec(), views);
  }
}
