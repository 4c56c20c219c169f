package io.freshet.training;

import io.freshet.spec.FeatureSpec;
import io.freshet.store.StoreNames;
import io.freshet.store.iceberg.HistoryCatalogs;
import io.freshet.store.iceberg.HistoryTables;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.avro.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;

/**
 * Builds a point-in-time-correct training set from the Iceberg feature history.
 *
 * <p>For each spine row (entity, timestamp, any other columns) and each selected feature, the value
 * is that of the newest history row of the entity (greatest valid_from, then revision) whose
 * valid_from is strictly before the spine timestamp, or at or before it with {@link
 * Builder#inclusive}. It is null when there is no such row, or when the spine timestamp minus the
 * row's last_event_time exceeds the view's ttl (the rule by which serving reports EXPIRED). With
 * {@link Builder#asServed} rows count from their written_at instead: what the online store held.
 *
 * <p>The output is Parquet with the spine's columns, in the spine's row order, then one column per
 * feature (named after the feature; {@code view__feature} when two views or a spine column share
 * the name), and a {@link Indicators} indicator after each view's features for those of them that
 * were added to the view after its history began. A {@link Manifest} records the Iceberg snapshot
 * read of every table, so {@link #reproduce} builds the same rows later, whatever was appended
 * since.
 *
 * <p>{@link #run()} joins in this process (the package's in-process engine). Memory is bounded: the
 * history streams through the join and is never held; when the spine-sized join state exceeds
 * {@link Builder#rowsInMemory}, spine and history are hash-partitioned by entity into spill files,
 * each partition is joined on its own, and the results are read back in spine order. {@link
 * #run(Engine)} hands the same plan to another engine (the Flink batch job of the training-flink
 * module); every engine applies {@link AsOfJoin}'s rule and writes through {@link TrainingOutput},
 * and the manifest is the same.
 *
 * <p>This class owns the settings (its {@link Builder} checks them eagerly) and the plan: the
 * spine's hash and row count, the snapshot of every view, the output's column names. Computing the
 * rows is the engine's.
 */
public final class TrainingSet {
  private final String catalogName;
  private final Map<String, String> catalogProperties;
  private final String namespace;
  private final Path spinePath;
  private final String entityColumn;
  private final String timestampColumn;
  private final boolean inclusive;
  private final boolean asServed;
  private final Path output;
  private final Path manifestOutput;
  private final long rowsInMemory;
  private final Path tempDir;
  private final Consumer<String> progress;
  private final List<ViewPlan> plans;
  private final String expectedSpineSha;
  private final List<FeatureSpec> specs;
  private final RequestColumns.Selection requests;
  private final Manifest reproducing;

  private TrainingSet(
      Builder b, List<ViewPlan> plans, RequestColumns.Selection requests, String expectedSpineSha) {
    this.catalogName = b.catalogName;
    this.catalogProperties = b.catalogProperties;
    this.namespace = b.namespace;
    this.spinePath = b.spine;
    this.entityColumn = b.entityColumn;
    this.timestampColumn = b.timestampColumn;
    this.inclusive = b.inclusive;
    this.asServed = b.asServed;
    this.output = b.output;
    this.manifestOutput = b.manifestOutput != null ? b.manifestOutput : defaultManifest(b.output);
    this.rowsInMemory = b.rowsInMemory;
    this.tempDir = b.tempDir;
    this.progress = b.progress;
    this.plans = plans;
    this.expectedSpineSha = expectedSpineSha;
    this.specs = List.copyOf(b.specs);
    this.requests = requests;
    this.reproducing = b.reproducing;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder that reproduces a manifest's training set: same spine (checked by hash), options,
   * views, features and snapshots.
   */
  public static Builder reproduce(Manifest m) {
    Builder b = new Builder();
    b.reproducing = m;
    b.spine = Path.of(m.spine());
    b.entityColumn = m.entityColumn();
    b.timestampColumn = m.timestampColumn();
    b.inclusive = m.inclusive();
    b.asServed = m.asServed();
    b.catalogName = m.catalog();
    b.namespace = m.namespace();
    return b;
  }

  /** The manifest path next to an output file: out.parquet -> out.manifest.json. */
  public static Path defaultManifest(Path output) {
    String name = output.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String base = dot > 0 ? name.substring(0, dot) : name;
    return output.resolveSibling(base + ".manifest.json");
  }

  /** Settings of a training set; {@link #build} checks them all. */
  public static final class Builder {
    private Catalog catalog;
    private String catalogName = StoreNames.DEFAULT_CATALOG;
    private Map<String, String> catalogProperties;
    private String namespace = StoreNames.DEFAULT_NAMESPACE;
    private final List<FeatureSpec> specs = new ArrayList<>();
    private Path spine;
    private String entityColumn = "entity";
    private String timestampColumn = "timestamp";
    private final List<FeatureSelection> selections = new ArrayList<>();
    private boolean inclusive;
    private boolean asServed;
    private Path output;
    private Path manifestOutput;
    private long rowsInMemory;
    private Path tempDir;
    private Consumer<String> progress = s -> {};
    private Manifest reproducing;

    /**
     * An open catalog (the caller closes it). Engines that read the history elsewhere (the Flink
     * job's TaskManagers) need its properties too: see {@link #catalog(Catalog, String, Map)}.
     */
    public Builder catalog(Catalog catalog, String catalogName) {
      this.catalog = catalog;
      this.catalogName = catalogName;
      this.catalogProperties = null;
      return this;
    }

    /**
     * An open catalog (the caller closes it) and the Iceberg catalog properties it was opened with
     * (see HistoryCatalogs), for engines that open it again elsewhere.
     */
    public Builder catalog(Catalog catalog, String catalogName, Map<String, String> properties) {
      this.catalog = catalog;
      this.catalogName = catalogName;
      this.catalogProperties = Map.copyOf(properties);
      return this;
    }

    /** Opens the catalog from Iceberg catalog properties (see HistoryCatalogs). */
    public Builder catalogProperties(String catalogName, Map<String, String> properties) {
      return catalog(HistoryCatalogs.load(catalogName, properties), catalogName, properties);
    }

    public Builder namespace(String namespace) {
      this.namespace = namespace;
      return this;
    }

    /** A spec whose views may be selected; several specs (sources) may be given. */
    public Builder spec(FeatureSpec spec) {
      specs.add(spec);
      return this;
    }

    public Builder spine(Path spine) {
      this.spine = spine;
      return this;
    }

    public Builder entityColumn(String column) {
      this.entityColumn = column;
      return this;
    }

    public Builder timestampColumn(String column) {
      this.timestampColumn = column;
      return this;
    }

    /** Features as {@code view:feature}. */
    public Builder select(String... selections) {
      for (String s : selections) {
        this.selections.add(FeatureSelection.parse(s));
      }
      return this;
    }

    public Builder select(List<FeatureSelection> selections) {
      this.selections.addAll(selections);
      return this;
    }

    /** History rows valid at exactly the spine timestamp count too. */
    public Builder inclusive(boolean inclusive) {
      this.inclusive = inclusive;
      return this;
    }

    /** Place history rows by written_at: exactly what the online store held. */
    public Builder asServed(boolean asServed) {
      this.asServed = asServed;
      return this;
    }

    public Builder output(Path output) {
      this.output = output;
      return this;
    }

    /** Where the manifest goes; default next to the output (out.manifest.json). */
    public Builder manifestOutput(Path manifest) {
      this.manifestOutput = manifest;
      return this;
    }

    /**
     * Spine rows held in memory at once, counted once per join state (one per history reader
     * thread, and one per view's result); above it the spine is partitioned through spill files.
     * The history is never held, whatever its size. Default from the heap size.
     */
    public Builder rowsInMemory(long rows) {
      this.rowsInMemory = rows;
      return this;
    }

    /** Where spill files go; default the system temp directory. */
    public Builder tempDir(Path dir) {
      this.tempDir = dir;
      return this;
    }

    /** Receives progress lines. */
    public Builder progress(Consumer<String> progress) {
      this.progress = Objects.requireNonNull(progress);
      return this;
    }

    /**
     * Checks the settings against the specs and the catalog.
     *
     * @throws TrainingSetException listing what is wrong and what is valid
     */
    public TrainingSet build() {
      if (catalog == null) {
        throw new TrainingSetException("no Iceberg catalog given");
      }
      if (spine == null) {
        throw new TrainingSetException("no spine given");
      }
      if (output == null) {
        throw new TrainingSetException("no output file given");
      }
      if (reproducing != null) {
        return new TrainingSet(
            this,
            ViewPlan.fromManifest(reproducing, this::loadTable),
            null,
            reproducing.spineSha256());
      }
      RequestColumns.Selection requests = RequestColumns.split(specs, selections);
      List<ViewPlan> plans =
          requests.stored().isEmpty() && !requests.requested().isEmpty()
              ? List.of()
              : ViewPlan.fromSpecs(specs, requests.stored(), asServed, this::loadTable);
      return new TrainingSet(this, plans, requests, null);
    }

    private Table loadTable(String view) {
      TableIdentifier id = HistoryTables.identifier(namespace, view);
      if (!catalog.tableExists(id)) {
        throw new TrainingSetException(
            "no history table "
                + id
                + " in catalog '"
                + catalogName
                + "': has the feature job run with the Iceberg sink, on this catalog?");
      }
      return catalog.loadTable(id);
    }
  }

  /**
   * Computes a planned training set's rows: the in-process join of {@link TrainingSet#run()}, or
   * another engine (the Flink batch job of the training-flink module). The engine writes a Parquet
   * file through {@link TrainingOutput}: the plan's output schema, one row per spine row, in spine
   * order. {@link TrainingSet#run(Engine)} checks the spine before, and moves the file into place
   * and writes the manifest after, so every engine's training set has the same manifest.
   */
  @FunctionalInterface
  public interface Engine {
    /**
     * @param plan what to compute
     * @param file where to write the rows (a temporary name next to the output)
     * @param progress receives progress lines
     * @throws TrainingSetException for a bad spine (with the row number) or unreadable history
     */
    void write(TrainingPlan plan, Path file, Consumer<String> progress) throws Exception;
  }

  /**
   * Builds the training set in this process: writes the output and the manifest.
   *
   * @return the manifest written
   * @throws TrainingSetException for a bad spine (with the row number) or unreadable history
   */
  public Manifest run() {
    return run(new InProcessEngine(plans, rowsInMemory, tempDir));
  }

  /**
   * Builds the training set with an engine: writes the output and the manifest.
   *
   * @return the manifest written
   * @throws TrainingSetException for a bad spine (with the row number), unreadable history or a
   *     failed engine
   */
  public Manifest run(Engine engine) {
    long started = System.nanoTime();
    SpineInfo info = inspectSpine();
    if (expectedSpineSha != null && !expectedSpineSha.equals(info.sha256)) {
      throw new TrainingSetException(
          "spine "
              + spinePath
              + " is not the spine of the manifest (SHA-256 "
              + info.sha256
              + ", manifest has "
              + expectedSpineSha
              + ")");
    }
    Schema spineSchema;
    Schema outSchema;
    try (Spine spine = Spine.open(spinePath, entityColumn, timestampColumn)) {
      spineSchema = spine.schema();
      outSchema = outputSchema(spineSchema);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    TrainingPlan plan =
        new TrainingPlan(
            spinePath,
            info.sha256,
            info.rows,
            entityColumn,
            timestampColumn,
            inclusive,
            asServed,
            catalogName,
            catalogProperties,
            namespace,
            viewReads(),
            spineSchema,
            outSchema);
    List<Manifest.RequestRead> requestReads;
    List<String> hidden;
    if (reproducing != null) {
      requestReads = Objects.requireNonNullElse(reproducing.requestFeatures(), List.of());
      hidden = Objects.requireNonNullElse(reproducing.hiddenColumns(), List.of());
    } else {
      Set<String> taken = new HashSet<>();
      outSchema.getFields().forEach(f -> taken.add(f.name()));
      requestReads = RequestColumns.reads(specs, requests, plans, spineSchema, taken);
      hidden = RequestColumns.hiddenColumns(requests, plans);
    }
    Path tmpOut =
        output.resolveSibling(output.getFileName() + ".tmp-" + ProcessHandle.current().pid());
    Path tmpJoined = tmpOut.resolveSibling(tmpOut.getFileName() + "-joined");
    try {
      if (output.toAbsolutePath().getParent() != null) {
        Files.createDirectories(output.toAbsolutePath().getParent());
      }
      if (requestReads.isEmpty()) {
        engine.write(plan, tmpOut, progress);
      } else {
        engine.write(plan, tmpJoined, progress);
        long[] failed =
            RequestColumns.write(tmpJoined, tmpOut, outSchema, hidden, requestReads, progress);
        List<Manifest.RequestRead> counted = new ArrayList<>();
        for (int i = 0; i < failed.length; i++) {
          counted.add(requestReads.get(i).withFailedRows(failed[i]));
        }
        requestReads = counted;
      }
      Files.move(
          tmpOut, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new TrainingSetException("the training set could not be built: " + e, e);
    } finally {
      try {
        Files.deleteIfExists(tmpOut);
        Files.deleteIfExists(tmpJoined);
      } catch (IOException e) {
        // best effort
      }
    }
    Manifest m =
        new Manifest(
            Manifest.FORMAT,
            Instant.now().toString(),
            spinePath.toString(),
            info.sha256,
            info.rows,
            entityColumn,
            timestampColumn,
            inclusive,
            asServed,
            catalogName,
            namespace,
            plan.views(),
            output.toString(),
            requestReads.isEmpty() ? null : requestReads,
            hidden.isEmpty() ? null : hidden);
    m.write(manifestOutput);
    double secs = (System.nanoTime() - started) / 1e9;
    progress.accept(
        String.format(
            "training set: %,d rows written to %s in %.1f s (%,.0f rows/s); manifest %s",
            info.rows, output, secs, info.rows / Math.max(secs, 1e-9), manifestOutput));
    return m;
  }

  /** The views read, as the manifest records them (columns are named by outputSchema). */
  private List<Manifest.ViewRead> viewReads() {
    return plans.stream().map(ViewPlan::viewRead).toList();
  }

  private record SpineInfo(String sha256, long rows) {}

  /** SHA-256 of the spine file, and its row count (from the footer, or by a scan for CSV). */
  private SpineInfo inspectSpine() {
    try (Spine spine = Spine.open(spinePath, entityColumn, timestampColumn);
        InputStream in = new BufferedInputStream(Files.newInputStream(spinePath), 1 << 16)) {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) > 0) {
        sha.update(buf, 0, n);
      }
      long rows = spine.knownRowCount();
      if (rows < 0) {
        rows = 0;
        while (spine.next()) {
          rows++;
        }
      }
      return new SpineInfo(HexFormat.of().formatHex(sha.digest()), rows);
    } catch (IOException e) {
      throw new TrainingSetException("cannot read spine " + spinePath + ": " + e.getMessage(), e);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The spine's fields, then one nullable field per selected feature; names the columns. */
  private Schema outputSchema(Schema spine) {
    List<Schema.Field> fields = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (Schema.Field f : spine.getFields()) {
      fields.add(new Schema.Field(f, f.schema()));
      names.add(f.name());
    }
    Map<String, Integer> featureCount = new LinkedHashMap<>();
    for (ViewPlan p : plans) {
      for (String f : p.features) {
        if (Indicators.featureOf(f) == null && Indicators.holdOf(f) < 0) {
          featureCount.merge(f, 1, Integer::sum);
        }
      }
    }
    for (ViewPlan p : plans) {
      boolean named = !p.columns.isEmpty();
      for (int i = 0; i < p.features.size(); i++) {
        String f = p.features.get(i);
        String warming = Indicators.featureOf(f);
        String name;
        if (named) {
          name = p.columns.get(i);
        } else if (warming != null) {
          name = Indicators.column(p.columns.get(p.features.indexOf(warming)));
          p.columns.add(name);
        } else if (Indicators.holdOf(f) >= 0) {
          name = Spine.avroName(p.view + "__held");
          p.columns.add(name);
        } else {
          name = Spine.avroName(f);
          if (featureCount.get(f) > 1 || names.contains(name)) {
            name = Spine.avroName(p.view + "__" + f);
          }
          p.columns.add(name);
        }
        if (!names.add(name)) {
          throw new TrainingSetException(
              "output column '" + name + "' would appear twice: rename the spine column");
        }
        Schema type = TrainingOutput.schemaOf(p.types.get(i));
        fields.add(
            new Schema.Field(
                name,
                Schema.createUnion(Schema.create(Schema.Type.NULL), type),
                warming != null
                    ? p.view + ":" + warming + " was not computed yet (its value is null)"
                    : Indicators.holdOf(f) >= 0
                        ? p.view + ": the row read went online only at a later checkpoint, or never"
                        : p.view + ":" + f,
                Schema.Field.NULL_DEFAULT_VALUE));
      }
    }
    return Schema.createRecord(
        spine.getName() == null ? "training_set" : spine.getName(),
        null,
        spine.getNamespace(),
        false,
        fields);
  }
}
