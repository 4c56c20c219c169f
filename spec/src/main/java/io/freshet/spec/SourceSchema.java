package io.freshet.spec;

import static io.freshet.spec.YamlWalker.quote;

import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.yaml.snakeyaml.nodes.Node;

/**
 * The source's Avro record schema as the view rules see it: the fields that entity, event time,
 * features and expectations may name. Absent (null) when the source's schema has errors, which are
 * then reported once, at the source.
 *
 * @param schema the parsed record schema
 * @param ref the {@code schema:} entry as written, named in messages
 */
record SourceSchema(Schema schema, String ref) {

  /** The named field, or null after reporting that the schema has none (with a suggestion). */
  Schema.Field field(YamlWalker in, Node at, String path, String name) {
    Schema.Field field = schema.getField(name);
    if (field == null) {
      List<String> names = fieldNames();
      in.error(
          at,
          path,
          "no field "
              + quote(name)
              + " in schema "
              + schema.getName()
              + " ("
              + ref
              + ")"
              + Suggestions.didYouMean(name, names, Map.of())
              + "; its fields are: "
              + String.join(", ", names));
    }
    return field;
  }

  /** The fields with a Freshet value type (what a rule's expression may read), by name. */
  Map<String, ValueType> scalarFields() {
    Map<String, ValueType> out = new java.util.LinkedHashMap<>();
    for (Schema.Field f : schema.getFields()) {
      AvroTypes.valueType(f.schema()).ifPresent(t -> out.put(f.name(), t));
    }
    return out;
  }

  List<String> fieldNames() {
    return schema.getFields().stream().map(Schema.Field::name).toList();
  }

  /** " (a, b)" listing the numeric fields, or empty if there are none. */
  String numericFieldsHint() {
    List<String> numeric =
        schema.getFields().stream()
            .filter(f -> AvroTypes.valueType(f.schema()).map(ValueType::isNumeric).orElse(false))
            .map(Schema.Field::name)
            .toList();
    return numeric.isEmpty() ? "" : " (" + String.join(", ", numeric) + ")";
  }
}
