package io.freshet.spec;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.avro.LogicalType;
import org.apache.avro.Schema;

/** How Freshet reads Avro field types: the value type a field gives, and its name in messages. */
final class AvroTypes {
  private AvroTypes() {}

  /**
   * The value type a feature reads from an Avro field: int, long and timestamps are {@code LONG},
   * float and double {@code DOUBLE}, string and enum {@code STRING}, boolean {@code BOOLEAN}; a
   * nullable union of one of these has that type. Anything else cannot be read.
   */
  static Optional<ValueType> valueType(Schema fieldSchema) {
    Schema t = unwrapNullable(fieldSchema);
    if (t == null) {
      return Optional.empty();
    }
    return switch (t.getType()) {
      case INT, LONG -> Optional.of(ValueType.LONG);
      case FLOAT, DOUBLE -> Optional.of(ValueType.DOUBLE);
      case STRING, ENUM -> Optional.of(ValueType.STRING);
      case BOOLEAN -> Optional.of(ValueType.BOOLEAN);
      default -> Optional.empty();
    };
  }

  /** The non-null branch of a {@code ["null", X]} union, the schema itself if not a union. */
  static Schema unwrapNullable(Schema s) {
    if (s.getType() != Schema.Type.UNION) {
      return s;
    }
    List<Schema> types = s.getTypes();
    if (types.size() != 2) {
      return null;
    }
    if (types.get(0).getType() == Schema.Type.NULL) {
      return types.get(1).getType() == Schema.Type.UNION ? null : types.get(1);
    }
    if (types.get(1).getType() == Schema.Type.NULL) {
      return types.get(0);
    }
    return null;
  }

  /** A short description of an Avro type for messages, e.g. "a nullable double". */
  static String describe(Schema s) {
    Schema inner = unwrapNullable(s);
    if (s.getType() == Schema.Type.UNION) {
      if (inner != null) {
        return "a nullable " + typeName(inner);
      }
      return "a union of "
          + s.getTypes().stream().map(AvroTypes::typeName).collect(Collectors.joining(", "));
    }
    String name = typeName(s);
    return (name.matches("^[aeiou].*") ? "an " : "a ") + name;
  }

  private static String typeName(Schema s) {
    LogicalType lt = s.getLogicalType();
    String base = s.getType().getName();
    return lt == null ? base : base + " (" + lt.getName() + ")";
  }
}
