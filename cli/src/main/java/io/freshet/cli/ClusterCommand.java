package io.freshet.cli;

import io.freshet.cli.flink.JobProgress;
import io.freshet.services.FlinkCluster;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code freshet cluster start|stop|status}: a local Flink session cluster from Maven jars. */
@Command(
    name = "cluster",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Start, stop or show a Flink 2.1 standalone session cluster on this machine: a JobManager"
          + " and one or more TaskManagers, each in its own JVM, from the jars the build resolved (no Flink"
          + " download). Configuration: flink-conf/config.yaml, with the ports below and"
          + " directories under the state dir (<state dir>/flink; logs in <state dir>/logs)."
          + " Submit jobs with freshet run --jobmanager 127.0.0.1:8081, or with Flink's REST API."
    },
    footer = {
      "",
      "Examples:",
      "  freshet cluster start        # ready in about 10 s; web UI at http://127.0.0.1:8081",
      "  freshet run --spec examples/payments/payments.yaml --jobmanager 127.0.0.1:8081",
      "  freshet cluster start --taskmanagers 2   # 4 slots: room to rescale a job from 2 to 4",
      "  freshet cluster status",
      "  freshet cluster stop"
    })
public final class ClusterCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  enum Action {
    start,
    stop,
    status
  }

  @Parameters(index = "0", paramLabel = "ACTION", description = "start, stop or status.")
  Action action;

  @Option(
      names = "--rest-port",
      defaultValue = "8081",
      description = "REST API and web UI port (default: ${DEFAULT-VALUE}).")
  int restPort;

  @Option(
      names = "--rpc-port",
      defaultValue = "6123",
      description = "JobManager RPC port (default: ${DEFAULT-VALUE}).")
  int rpcPort;

  @Option(
      names = "--taskmanagers",
      defaultValue = "1",
      paramLabel = "N",
      description =
          "TaskManager JVMs to start, each with flink-conf's slots (default: ${DEFAULT-VALUE});"
              + " two or more let a job rescale across processes. stop and status see every"
              + " TaskManager of the state dir.")
  int taskManagers;

  @Option(
      names = "--ha",
      description =
          "With start: JobManager high availability on the local ZooKeeper (services start"
              + " --zookeeper); a JobManager that dies and is started again takes its jobs back"
              + " from their latest checkpoints.")
  boolean ha;

  @Mixin FlinkOptions.Conf flink;

  @Mixin StateDirOption stateDir;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Map<String, String> settings = new LinkedHashMap<>(flink.sets);
    // metrics as fresh as the progress line of `freshet run --jobmanager` polls them
    settings.putIfAbsent("metrics.fetcher.update-interval", Long.toString(JobProgress.POLL_MILLIS));
    if (ha) {
      io.freshet.services.LocalServices services =
          new io.freshet.services.LocalServices(
              io.freshet.services.ServicesConfig.builderFromEnvironment()
                  .stateDir(stateDir.stateDir())
                  .build());
      if (!services.status(io.freshet.services.Service.ZOOKEEPER).isUp()) {
        throw new CliException(
            "--ha needs the local ZooKeeper: start it with freshet services start --zookeeper");
      }
      FlinkCluster.zooKeeperHighAvailability(
              services.zooKeeperQuorum(),
              stateDir.stateDir().resolve("flink").resolve("ha"),
              "/freshet-local")
          .forEach(settings::putIfAbsent);
    }
    FlinkCluster cluster =
        new FlinkCluster(
            stateDir.stateDir(), flink.confDir(), restPort, rpcPort, settings, taskManagers);
    switch (action) {
      case start -> {
        long t0 = System.nanoTime();
        cluster.start(Duration.ofSeconds(90));
        out.printf("Flink cluster ready in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        cluster.status().forEach(out::println);
      }
      case stop -> {
        var stopped = cluster.stop(Duration.ofSeconds(30));
        out.println(
            stopped.isEmpty()
                ? "Flink cluster was not running"
                : "stopped " + String.join(", ", stopped));
      }
      case status -> {
        cluster.status().forEach(out::println);
        out.flush();
        return cluster.running() ? 0 : 3;
      }
    }
    out.flush();
    return 0;
  }
}
