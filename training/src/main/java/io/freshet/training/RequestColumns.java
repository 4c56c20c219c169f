package io.freshet.training;

import io.freshet.spec.Expression;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.RequestFeature;
import io.freshet.spec.RequestFeatures;
import io.freshet.spec.ValueType;
import io.freshet.spec.ViewSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.io.LocalInputFile;

/**
 * The request-time features of a training set: computed after the join, row by row, from the joined
 * stored features and the spine's columns named like the request fields, by {@link RequestFeatures}
 * (the code serving runs), so a request-time feature is the same in training and serving.
 *
 * <p>A request-time feature needs its stored inputs: those not selected are joined too and left out
 * of the output ({@link Manifest#hiddenColumns}). The manifest records each feature's expression
 * and where its inputs were read, so a reproduction computes them again alike.
 */
final class RequestColumns {
  private RequestColumns() {}

  /** The selections split: stored features to join, request-time features to compute. */
  record Selection(
      List<FeatureSelection> stored,
      List<FeatureSelection> requested,
      Set<FeatureSelection> hidden) {}

  /**
   * Splits the selections; adds the stored inputs of request-time features that were not selected
   * (hidden).
   */
  static Selection split(List<FeatureSpec> specs, List<FeatureSelection> selections) {
    Map<String, ViewSpec> views = new HashMap<>();
    for (FeatureSpec s : specs) {
      for (ViewSpec v : s.views()) {
        views.put(v.name(), v);
      }
    }
    List<FeatureSelection> stored = new ArrayList<>();
    List<FeatureSelection> requested = new ArrayList<>();
    for (FeatureSelection sel : selections) {
      ViewSpec v = views.get(sel.view());
      if (v != null && v.requestFeature(sel.feature()) != null) {
        if (!requested.contains(sel)) {
          requested.add(sel);
        }
      } else {
        stored.add(sel);
      }
    }
    Set<FeatureSelection> hidden = new LinkedHashSet<>();
    for (FeatureSelection sel : requested) {
      ViewSpec v = views.get(sel.view());
      for (String in : v.requestFeature(sel.feature()).expression().inputs()) {
        FeatureSelection input = new FeatureSelection(v.name(), in);
        if (v.indexOf(in) >= 0 && !stored.contains(input)) {
          stored.add(input);
          hidden.add(input);
        }
      }
    }
    return new Selection(stored, requested, hidden);
  }

  /**
   * What the manifest records of each request-time feature, with output column names: after the
   * plan's columns are named, the spine's columns known.
   */
  static List<Manifest.RequestRead> reads(
      List<FeatureSpec> specs,
      Selection selection,
      List<ViewPlan> plans,
      Schema spine,
      Set<String> taken) {
    List<Manifest.RequestRead> out = new ArrayList<>();
    Map<String, Integer> count = new HashMap<>();
    for (FeatureSelection s : selection.requested()) {
      count.merge(s.feature(), 1, Integer::sum);
    }
    for (FeatureSelection sel : selection.requested()) {
      ViewSpec v = view(specs, sel.view());
      RequestFeature r = v.requestFeature(sel.feature());
      Map<String, String> types = new LinkedHashMap<>();
      Map<String, String> columns = new LinkedHashMap<>();
      for (String in : r.expression().inputs()) {
        types.put(in, r.expression().inputType(in).name());
        if (v.indexOf(in) >= 0) {
          columns.put(in, storedColumn(plans, v.name(), in));
        } else {
          String col = Spine.avroName(in);
          if (spine.getField(col) == null) {
            throw new TrainingSetException(
                "request feature '"
                    + sel
                    + "' reads request field '"
                    + in
                    + "', which training sets take from the spine column of that name: the spine"
                    + " has no column '"
                    + in
                    + "' (its columns: "
                    + spine.getFields().stream().map(Schema.Field::name).toList()
                    + ")");
          }
          columns.put(in, col);
        }
      }
      String name = Spine.avroName(r.name());
      if (count.get(r.name()) > 1 || taken.contains(name)) {
        name = Spine.avroName(v.name() + "__" + r.name());
      }
      if (!taken.add(name)) {
        throw new TrainingSetException(
            "output column '" + name + "' would appear twice: rename the spine column");
      }
      out.add(
          new Manifest.RequestRead(
              sel.view(), r.name(), r.expression().text(), r.type().name(), name, types, columns));
    }
    return out;
  }

  /**
   * The output columns of the hidden inputs (and of their warming-up indicators), and each view's
   * held indicator when all of the view's features are hidden.
   */
  static List<String> hiddenColumns(Selection selection, List<ViewPlan> plans) {
    List<String> out = new ArrayList<>();
    for (ViewPlan p : plans) {
      boolean anyShown = false;
      for (int i = 0; i < p.features.size(); i++) {
        String f = p.features.get(i);
        String base = Indicators.featureOf(f);
        if (Indicators.holdOf(f) >= 0) {
          continue;
        }
        boolean hide =
            selection.hidden().contains(new FeatureSelection(p.view, base != null ? base : f));
        if (hide) {
          out.add(p.columns.get(i));
        } else if (base == null) {
          anyShown = true;
        }
      }
      if (!anyShown) {
        for (int i = 0; i < p.features.size(); i++) {
          if (Indicators.holdOf(p.features.get(i)) >= 0) {
            out.add(p.columns.get(i));
          }
        }
      }
    }
    return out;
  }

  private static String storedColumn(List<ViewPlan> plans, String view, String feature) {
    for (ViewPlan p : plans) {
      if (p.view.equals(view)) {
        return p.columns.get(p.features.indexOf(feature));
      }
    }
    throw new IllegalStateException("no plan for view " + view);
  }

  private static ViewSpec view(List<FeatureSpec> specs, String name) {
    for (FeatureSpec s : specs) {
      for (ViewSpec v : s.views()) {
        if (v.name().equals(name)) {
          return v;
        }
      }
    }
    throw new IllegalStateException("no view " + name);
  }

  /** The schema of the final output: the engine's without the hidden columns, then the reads'. */
  static Schema outputSchema(Schema joined, List<String> hidden, List<Manifest.RequestRead> reads) {
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field f : joined.getFields()) {
      if (!hidden.contains(f.name())) {
        fields.add(new Schema.Field(f, f.schema()));
      }
    }
    for (Manifest.RequestRead r : reads) {
      Schema type = TrainingOutput.schemaOf(ValueType.valueOf(r.type()));
      fields.add(
          new Schema.Field(
              r.column(),
              Schema.createUnion(Schema.create(Schema.Type.NULL), type),
              r.view() + ":" + r.feature() + " = " + r.expression() + " (request-time)",
              Schema.Field.NULL_DEFAULT_VALUE));
    }
    return Schema.createRecord(
        joined.getName(), joined.getDoc(), joined.getNamespace(), false, fields);
  }

  /**
   * Rewrites the engine's output {@code in} to {@code out}: the hidden columns dropped, the
   * request-time features computed and appended.
   *
   * @return per request-time feature (in {@code reads} order), the rows whose evaluation failed
   */
  static long[] write(
      Path in,
      Path out,
      Schema joined,
      List<String> hidden,
      List<Manifest.RequestRead> reads,
      Consumer<String> progress)
      throws IOException {
    List<RequestFeature> features = new ArrayList<>();
    for (Manifest.RequestRead r : reads) {
      Map<String, ValueType> types = new LinkedHashMap<>();
      r.inputTypes().forEach((k, t) -> types.put(k, ValueType.valueOf(t)));
      try {
        features.add(
            new RequestFeature(r.feature(), Expression.compile(r.expression(), types), null));
      } catch (Expression.Invalid e) {
        throw new TrainingSetException(
            "request feature '"
                + r.view()
                + ":"
                + r.feature()
                + "' does not compile: "
                + e.getMessage());
      }
    }
    long[] failed = new long[reads.size()];
    String[] firstFailure = new String[reads.size()];
    try (ParquetReader<GenericRecord> reader =
        AvroParquetReader.<GenericRecord>builder(new LocalInputFile(in))
            .withDataModel(GenericData.get())
            .build()) {
      GenericRecord rec = reader.read();
      Schema schema = outputSchema(joined, hidden, reads);
      int kept = schema.getFields().size() - reads.size();
      int[] from = new int[kept];
      for (int i = 0; i < kept; i++) {
        from[i] = joined.getField(schema.getFields().get(i).name()).pos();
      }
      long row = 0;
      try (ParquetWriter<GenericRecord> writer = TrainingOutput.open(out, schema)) {
        Map<String, Object> inputs = new HashMap<>();
        for (; rec != null; rec = reader.read(), row++) {
          GenericData.Record o = new GenericData.Record(schema);
          for (int i = 0; i < kept; i++) {
            o.put(i, rec.get(from[i]));
          }
          for (int k = 0; k < reads.size(); k++) {
            Manifest.RequestRead r = reads.get(k);
            inputs.clear();
            for (Map.Entry<String, String> c : r.inputColumns().entrySet()) {
              ValueType t = ValueType.valueOf(r.inputTypes().get(c.getKey()));
              inputs.put(c.getKey(), input(t, rec.get(c.getValue()), r, c.getValue(), row));
            }
            int idx = k;
            o.put(
                kept + k,
                RequestFeatures.compute(
                    features.get(k),
                    inputs,
                    (f, reason) -> {
                      failed[idx]++;
                      if (firstFailure[idx] == null) {
                        firstFailure[idx] = reason;
                      }
                    }));
          }
          writer.write(o);
        }
      }
    }
    for (int k = 0; k < reads.size(); k++) {
      if (failed[k] > 0) {
        progress.accept(
            String.format(
                "request feature %s:%s: %,d rows null because the evaluation failed (first: %s)",
                reads.get(k).view(), reads.get(k).feature(), failed[k], firstFailure[k]));
      }
    }
    return failed;
  }

  /**
   * A joined or spine value as an input of its type: text (a CSV spine's columns) is parsed, other
   * values converted as serving converts a request's.
   */
  private static Object input(
      ValueType type, Object v, Manifest.RequestRead r, String column, long row) {
    if (v == null) {
      return null;
    }
    try {
      if (v instanceof CharSequence s && type != ValueType.STRING) {
        return Expression.parse(type, s.toString());
      }
      return Expression.coerce(type, v);
    } catch (IllegalArgumentException e) {
      throw new TrainingSetException(
          "spine row "
              + (row + 1)
              + ": column '"
              + column
              + "' (request field of "
              + r.view()
              + ":"
              + r.feature()
              + ", a "
              + type.name().toLowerCase(Locale.ROOT)
              + "): "
              + e.getMessage());
    }
  }
}
