package io.freshet.cli;

import io.freshet.spec.Durations;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SpecParser;
import io.freshet.spec.ViewSpec;
import io.freshet.store.iceberg.HistoryCatalogs;
import io.freshet.store.iceberg.HistoryCompaction;
import io.freshet.store.iceberg.HistoryMaintenance;
import io.freshet.store.iceberg.HistoryTables;
import io.freshet.store.iceberg.SnapshotExpiry;
import io.freshet.store.iceberg.SnapshotPin;
import io.freshet.training.Manifest;
import io.freshet.training.TrainingSetException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code freshet maintain}: compaction of the history tables' small files and expiry of their old
 * snapshots, keeping the snapshots that training-set manifests pin ({@link HistoryMaintenance} does
 * the work; this command finds the tables and the manifests and prints the summaries).
 */
@Command(
    name = "maintain",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Keep the history tables healthy over months of checkpoint commits: rewrite each table's small"
          + " data files into files of the target size (every row kept), then expire snapshots"
          + " older than --older-than, deleting the files only they read. The snapshots the"
          + " training-set manifests of --keep-manifests read are kept (--force expires them and"
          + " names the manifests it breaks), as are the snapshots back to the feature job's last"
          + " commit (its restore needs them). Safe while the job runs. One summary per table;"
          + " --dry-run prints what would be done."
    },
    footer = {
      "",
      "Examples:",
      "  freshet maintain --keep-manifests training-sets/ --dry-run",
      "  freshet maintain --keep-manifests training-sets/ --older-than 7d",
      "  freshet maintain --spec examples/payments/payments.yaml --view customer_risk --no-expire",
      "  freshet maintain --keep-manifests 'runs/*/train*.manifest.json' --older-than 2d --force"
    })
public final class MaintainCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--spec",
      paramLabel = "FILE",
      description = "Maintain the history tables of this spec's views (repeatable).")
  List<Path> specs = new ArrayList<>();

  @Option(
      names = "--view",
      paramLabel = "VIEW",
      description =
          "Only this view's table (repeatable; a view of --spec when given). Without --spec and"
              + " --view: every table of the namespace.")
  List<String> views = new ArrayList<>();

  @Option(
      names = "--keep-manifests",
      paramLabel = "PATH",
      description =
          "Training-set manifests whose snapshots are kept: a manifest file, a directory (every"
              + " *.manifest.json under it) or a glob ('sets/*/*.manifest.json'); repeatable."
              + " Expiry needs at least one, or --force.")
  List<String> manifests = new ArrayList<>();

  @Option(
      names = "--force",
      description =
          "Expire snapshots even when a manifest pins them, and print the manifests broken (their"
              + " training sets can no longer be rebuilt).")
  boolean force;

  @Option(names = "--dry-run", description = "Print what would be done; change nothing.")
  boolean dryRun;

  @Option(
      names = "--older-than",
      paramLabel = "DURATION",
      description =
          "Snapshots older than this may expire, e.g. 7d, 12h, 0s (default: the table's"
              + " history.expire.max-snapshot-age-ms, Iceberg's default 5d).")
  String olderThan;

  @Option(
      names = "--retain-last",
      paramLabel = "N",
      description =
          "Keep the newest N snapshots whatever their age (default: the table's"
              + " history.expire.min-snapshots-to-keep, Iceberg's default 1).")
  Integer retainLast;

  @Option(
      names = "--target-file-size",
      paramLabel = "SIZE",
      description =
          "Size of the compacted files, e.g. 128MB; files under 75% of it are small (default: the"
              + " table's write.target-file-size-bytes, Iceberg's default 512MB).")
  String targetFileSize;

  @Option(
      names = "--min-input-files",
      paramLabel = "N",
      defaultValue = "2",
      description =
          "Rewrite a partition only when it has at least N small files (default: ${DEFAULT-VALUE}).")
  int minInputFiles;

  @Option(names = "--no-compact", description = "Skip compaction.")
  boolean noCompact;

  @Option(names = "--no-expire", description = "Skip snapshot expiry.")
  boolean noExpire;

  @Mixin CatalogOptions catalogOptions;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    HistoryMaintenance.Options options = options();
    if (options.expiry() != null && manifests.isEmpty() && !force && !dryRun) {
      throw new CliException(
          "snapshot expiry keeps the snapshots that training-set manifests read: give them with"
              + " --keep-manifests DIR|FILE|GLOB, or --force to expire without checking any"
              + " (--no-expire compacts only)");
    }
    List<SnapshotPin> pins = new ArrayList<>();
    List<Path> found = findManifests();
    for (Path m : found) {
      try {
        pins.addAll(Manifest.read(m).snapshotPins(m.toString()));
      } catch (TrainingSetException e) {
        throw new CliException(e.getMessage() + " (fix or move it: its snapshots would expire)", e);
      }
    }
    if (options.expiry() != null) {
      out.println(
          manifests.isEmpty()
              ? "no --keep-manifests: no snapshot is kept for a training set"
                  + (force ? " (--force)" : " (a run without --dry-run needs them, or --force)")
              : count(found.size(), "training-set manifest")
                  + " read "
                  + count(
                      pins.stream().map(p -> p.table() + "@" + p.snapshotId()).distinct().count(),
                      "snapshot")
                  + ": "
                  + (force ? "expired like any other (--force)" : "kept"));
    }

    Catalog catalog = HistoryCatalogs.load(catalogOptions.catalogName, catalogOptions.properties());
    int failed = 0;
    try {
      Instant now = Instant.now();
      for (TableIdentifier id : tables(catalog)) {
        if (!catalog.tableExists(id)) {
          out.println(id + "\n  no history table (nothing written yet)");
          continue;
        }
        try {
          HistoryMaintenance.Report report =
              HistoryMaintenance.maintain(catalog, id, options, pins, now);
          report.summary().forEach(out::println);
        } catch (RuntimeException e) {
          failed++;
          out.println(id);
          err.println("freshet maintain: " + id + " failed: " + e.getMessage());
          if (spec.commandLine().getParseResult().originalArgs().contains("--verbose")) {
            e.printStackTrace(err);
          }
        }
        out.flush();
      }
    } finally {
      if (catalog instanceof AutoCloseable c) {
        try {
          c.close();
        } catch (Exception e) {
          // closing frees connections only
        }
      }
    }
    out.flush();
    err.flush();
    return failed == 0 ? 0 : 1;
  }

  private static String count(long n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }

  private HistoryMaintenance.Options options() {
    if (noCompact && noExpire) {
      throw new CliException("--no-compact and --no-expire leave nothing to do");
    }
    try {
      HistoryCompaction.Options compaction =
          noCompact
              ? null
              : new HistoryCompaction.Options(
                  targetFileSize == null ? 0 : bytes(targetFileSize), minInputFiles);
      Duration age = olderThan == null ? null : Durations.parse(olderThan);
      SnapshotExpiry.Options expiry =
          noExpire ? null : new SnapshotExpiry.Options(age, retainLast, force);
      return new HistoryMaintenance.Options(compaction, expiry, dryRun);
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage(), e);
    }
  }

  /** The tables to maintain: the views of --spec and --view, else every table of the namespace. */
  private List<TableIdentifier> tables(Catalog catalog) {
    String namespace = catalogOptions.namespace;
    Set<String> names = new LinkedHashSet<>();
    if (!specs.isEmpty()) {
      Set<String> specViews = new LinkedHashSet<>();
      for (Path s : specs) {
        FeatureSpec parsed = SpecParser.parse(s);
        parsed.views().stream().map(ViewSpec::name).forEach(specViews::add);
      }
      for (String v : views) {
        if (!specViews.contains(v)) {
          throw new CliException(
              "view '" + v + "' is not in the specs given; their views: " + specViews);
        }
      }
      names.addAll(views.isEmpty() ? specViews : views);
    } else if (!views.isEmpty()) {
      names.addAll(views);
    } else {
      if (catalog instanceof SupportsNamespaces ns
          && !ns.namespaceExists(Namespace.of(namespace))) {
        throw new CliException(
            "catalog '"
                + catalogOptions.catalogName
                + "' has no namespace '"
                + namespace
                + "' (nothing written yet, or another --namespace / --state-dir?)");
      }
      return HistoryMaintenance.tables(catalog, namespace);
    }
    return names.stream().map(v -> HistoryTables.identifier(namespace, v)).toList();
  }

  /** The manifest files of --keep-manifests, each path given, directory walked or glob matched. */
  private List<Path> findManifests() {
    Set<Path> files = new LinkedHashSet<>();
    for (String given : manifests) {
      if (given.chars().anyMatch(c -> "*?[{".indexOf(c) >= 0)) {
        List<Path> matched = glob(given);
        if (matched.isEmpty()) {
          throw new CliException("--keep-manifests " + given + " matches no file");
        }
        files.addAll(matched);
        continue;
      }
      Path p = Path.of(given);
      if (Files.isDirectory(p)) {
        files.addAll(walk(p, f -> f.getFileName().toString().endsWith(".manifest.json")));
      } else if (Files.isRegularFile(p)) {
        files.add(p);
      } else {
        throw new CliException("--keep-manifests " + given + ": no such file or directory");
      }
    }
    return List.copyOf(files);
  }

  /** Files matching a glob, walked from the glob's longest directory prefix without wildcards. */
  private static List<Path> glob(String pattern) {
    String full = Path.of("").toAbsolutePath().resolve(pattern).toString();
    int slash = full.lastIndexOf('/', firstWildcard(full));
    Path base = Path.of(slash <= 0 ? "/" : full.substring(0, slash));
    if (!Files.isDirectory(base)) {
      return List.of();
    }
    PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + full);
    return walk(base, f -> matcher.matches(f.toAbsolutePath().normalize()));
  }

  private static int firstWildcard(String s) {
    for (int i = 0; i < s.length(); i++) {
      if ("*?[{".indexOf(s.charAt(i)) >= 0) {
        return i;
      }
    }
    return s.length();
  }

  private static List<Path> walk(Path dir, Predicate<Path> keep) {
    try (Stream<Path> all = Files.walk(dir)) {
      return all.filter(Files::isRegularFile).filter(keep).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(|B|KB|MB|GB)");

  /** A size such as 128MB, 1GB, 65536 (bytes); units are powers of 1024. */
  static long bytes(String text) {
    Matcher m = SIZE.matcher(text.trim().toUpperCase(Locale.ROOT));
    if (!m.matches()) {
      throw new CliException(
          "--target-file-size " + text + " is not a size; write e.g. 128MB, 1GB or 65536");
    }
    long n = Long.parseLong(m.group(1));
    int shift =
        switch (m.group(2)) {
          case "KB" -> 10;
          case "MB" -> 20;
          case "GB" -> 30;
          default -> 0;
        };
    if (n == 0 || Long.numberOfLeadingZeros(n) <= shift) {
      throw new CliException("--target-file-size " + text + " is not a usable size");
    }
    return n << shift;
  }
}
