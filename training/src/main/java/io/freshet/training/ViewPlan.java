package io.freshet.training;

import io.freshet.spec.FeatureDef;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SourceSpec;
import io.freshet.spec.ValueType;
import io.freshet.spec.ViewSpec;
import io.freshet.store.iceberg.HistoryTables;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.types.Types;

/**
 * One view a training set reads: its history table pinned to one snapshot (null: the table has no
 * data), its ttl and the features taken from it, in output order, followed by its {@link
 * Indicators}. Resolved either from the specs and the user's selections (every error collected into
 * one message) or from a manifest (same snapshots, so the same rows); recorded in the manifest as a
 * {@link Manifest.ViewRead}.
 */
final class ViewPlan {
  final String view;
  final Table table;
  final Long snapshotId;
  final String specVersion;
  final long ttlMillis;
  final List<String> features = new ArrayList<>();
  final List<ValueType> types = new ArrayList<>();

  /** Output column names; from the manifest, or filled in when the output schema names them. */
  final List<String> columns = new ArrayList<>();

  ViewPlan(String view, Table table, Long snapshotId, String specVersion, long ttlMillis) {
    this.view = view;
    this.table = table;
    this.snapshotId = snapshotId;
    this.specVersion = specVersion;
    this.ttlMillis = ttlMillis;
  }

  /** Rows in the table at the snapshot read, from the snapshot summary (0 when unknown). */
  long rows() {
    if (snapshotId == null) {
      return 0;
    }
    String n = table.snapshot(snapshotId).summary().get("total-records");
    return n == null ? 0 : Long.parseLong(n);
  }

  /** This view as the manifest records it. */
  Manifest.ViewRead viewRead() {
    return new Manifest.ViewRead(
        view,
        table.name(),
        snapshotId,
        specVersion,
        ttlMillis,
        List.copyOf(features),
        types.stream().map(Enum::name).toList(),
        List.copyOf(columns));
  }

  /**
   * The views of the selected features, each at its table's current snapshot, in order of first
   * selection; a feature selected twice is read once.
   *
   * @param asServed the rows are placed by written_at: each view gets the held indicator
   * @param tables loads a view's history table (failing when there is none)
   * @throws TrainingSetException listing every unknown view or feature and every missing column
   */
  static List<ViewPlan> fromSpecs(
      List<FeatureSpec> specs,
      List<FeatureSelection> selections,
      boolean asServed,
      Function<String, Table> tables) {
    if (selections.isEmpty()) {
      throw new TrainingSetException("no features selected: give view:feature selections");
    }
    Map<String, ViewSpec> views = new LinkedHashMap<>();
    Map<String, SourceSpec> sources = new LinkedHashMap<>();
    for (FeatureSpec spec : specs) {
      for (ViewSpec v : spec.views()) {
        views.put(v.name(), v);
        sources.put(v.name(), spec.source());
      }
    }
    Map<String, ViewPlan> plans = new LinkedHashMap<>();
    List<String> errors = new ArrayList<>();
    Set<FeatureSelection> seen = new HashSet<>();
    for (FeatureSelection sel : selections) {
      ViewSpec view = views.get(sel.view());
      if (view == null) {
        errors.add("unknown view '" + sel.view() + "' (views: " + views.keySet() + ")");
        continue;
      }
      int idx = view.indexOf(sel.feature());
      if (idx < 0) {
        errors.add(
            "view '"
                + sel.view()
                + "' has no feature '"
                + sel.feature()
                + "' (features: "
                + view.features().stream().map(FeatureDef::name).toList()
                + ")");
        continue;
      }
      if (!seen.add(sel)) {
        continue;
      }
      ViewPlan plan = plans.get(view.name());
      if (plan == null) {
        Table table = tables.apply(view.name());
        Snapshot current = table.currentSnapshot();
        plan =
            new ViewPlan(
                view.name(),
                table,
                current == null ? null : current.snapshotId(),
                view.version(sources.get(view.name())),
                writtenTtl(table, view));
        plans.put(view.name(), plan);
      }
      FeatureDef f = view.features().get(idx);
      Types.NestedField col = plan.table.schema().findField(f.name());
      if (col == null) {
        errors.add(
            "history table "
                + plan.table.name()
                + " has no column '"
                + f.name()
                + "' yet: run the feature job with the current spec first");
        continue;
      }
      String written = plan.table.properties().get(HistoryTables.definitionProperty(f.name()));
      if (written != null && !written.equals(f.definition())) {
        errors.add(
            "feature '"
                + sel.view()
                + ":"
                + f.name()
                + "' is defined as "
                + f.definition()
                + " in the spec, but its history was written as "
                + written
                + ": build the training set with the spec that wrote it (a changed definition is a"
                + " new feature with a new name)");
        continue;
      }
      plan.features.add(f.name());
      plan.types.add(f.outputType());
    }
    if (!errors.isEmpty()) {
      throw new TrainingSetException(String.join("\n", errors));
    }
    for (ViewPlan plan : plans.values()) {
      for (String f : List.copyOf(plan.features)) {
        if (Indicators.canWarm(plan.table, f)) {
          plan.features.add(Indicators.warmingUp(f));
          plan.types.add(ValueType.BOOLEAN);
        }
      }
      long hold = Indicators.onlineHold(plan.table);
      if (asServed && hold > 0) {
        plan.features.add(Indicators.held(hold));
        plan.types.add(ValueType.BOOLEAN);
      }
    }
    return new ArrayList<>(plans.values());
  }

  /**
   * The ttl the job that wrote the history used (its table property), else the spec's: expiry in a
   * training set must be the one the online store applied.
   */
  private static long writtenTtl(Table table, ViewSpec view) {
    String ttl = table.properties().get(HistoryTables.PROP_TTL_MS);
    try {
      return ttl == null ? view.ttl().toMillis() : Long.parseLong(ttl);
    } catch (NumberFormatException e) {
      return view.ttl().toMillis();
    }
  }

  /**
   * The views a manifest read, at the snapshots it read, with its output column names.
   *
   * @param tables loads a view's history table (failing when there is none)
   * @throws TrainingSetException when a snapshot has expired since
   */
  static List<ViewPlan> fromManifest(Manifest m, Function<String, Table> tables) {
    List<ViewPlan> out = new ArrayList<>();
    for (Manifest.ViewRead r : m.views()) {
      Table table = tables.apply(r.view());
      if (r.snapshotId() != null && table.snapshot(r.snapshotId()) == null) {
        throw new TrainingSetException(
            "history table "
                + table.name()
                + " no longer has snapshot "
                + r.snapshotId()
                + " (expired?): this training set cannot be reproduced exactly");
      }
      ViewPlan p = new ViewPlan(r.view(), table, r.snapshotId(), r.specVersion(), r.ttlMillis());
      p.features.addAll(r.features());
      for (String t : r.types()) {
        p.types.add(ValueType.valueOf(t));
      }
      p.columns.addAll(r.columns());
      out.add(p);
    }
    return out;
  }
}
