package io.freshet.cli;

import io.freshet.cli.flink.FeatureJobRunner;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Options of the commands that run Flink (run, training-set, stop, cluster), one mixin per idea so
 * that each command takes only the ones it uses, with one description and one default each.
 */
final class FlinkOptions {
  private FlinkOptions() {}

  /** A Flink session cluster, by its REST API. */
  static final class Jobmanager {
    @Option(
        names = "--jobmanager",
        paramLabel = "HOST:PORT",
        description =
            "The REST API of a Flink session cluster (e.g. 127.0.0.1:8081, freshet cluster"
                + " start).")
    String jobmanager;
  }

  /** The job jar uploaded with a job to a session cluster. */
  static final class JobJar {
    @Option(
        names = "--job-jar",
        paramLabel = "JAR",
        description =
            "With --jobmanager: the job jar shipped with the job (default:"
                + " jobs/target/freshet-jobs-*-job.jar).")
    Path jobJar;

    /** --job-jar, else the one the build made in this checkout. */
    Path jobJar() throws IOException {
      return jobJar != null ? jobJar : FeatureJobRunner.defaultJobJar(LocalDefaults.home());
    }
  }

  /** The Flink configuration: a config.yaml directory and settings on top of it. */
  static final class Conf {
    @Option(
        names = "--flink-conf",
        paramLabel = "DIR",
        description = "Directory of the Flink config.yaml (default: <checkout>/flink-conf).")
    Path flinkConf;

    @Option(
        names = "--set",
        paramLabel = "KEY=VALUE",
        description = "A Flink setting, or a freshet.* job setting (repeatable).")
    Map<String, String> sets = new LinkedHashMap<>();

    /** --flink-conf, else the checkout's flink-conf/. */
    Path confDir() {
      return flinkConf != null ? flinkConf : LocalDefaults.home().resolve("flink-conf");
    }
  }
}
