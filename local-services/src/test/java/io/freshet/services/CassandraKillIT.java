package io.freshet.services;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Kill -9 of Cassandra in the middle of writes (on its own instance) must end in a clear failure
 * naming Cassandra, its address, its pid and its log, within a bounded time: never a hang.
 */
class CassandraKillIT {
  private static final int KILL_AFTER_WRITES = 2_000;

  @Test
  void killedCassandraFailsFastWithAClearMessage() throws Exception {
    ServicesConfig config = FreePorts.isolatedConfig("it-kill");
    LocalServices services = new LocalServices(config);
    try {
      ServiceStatus started = services.start(EnumSet.of(Service.CASSANDRA)).get(0);
      long pid = started.pid().getAsLong();
      DriverConfigLoader loader =
          DriverConfigLoader.programmaticBuilder()
              .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(5))
              .build();
      try (CqlSession session =
          CqlSession.builder()
              .addContactPoint(services.cassandraContactPoint())
              .withLocalDatacenter(LocalServices.cassandraLocalDatacenter())
              .withConfigLoader(loader)
              .build()) {
        session.execute(
            "CREATE KEYSPACE kill_it WITH replication = {'class': 'SimpleStrategy',"
                + " 'replication_factor': 1}");
        session.execute("CREATE TABLE kill_it.t (id int PRIMARY KEY, v text)");
        PreparedStatement insert = session.prepare("INSERT INTO kill_it.t (id, v) VALUES (?, ?)");

        AtomicInteger acknowledged = new AtomicInteger();
        long begin = System.nanoTime();
        assertThatThrownBy(
                () ->
                    assertTimeoutPreemptively(
                        Duration.ofSeconds(60),
                        () ->
                            services.guarded(
                                Service.CASSANDRA,
                                () -> {
                                  writeUntilFailure(session, insert, pid, acknowledged);
                                  return null;
                                })))
            .isInstanceOf(ServiceUnavailableException.class)
            .hasMessageStartingWith(
                "Cassandra at 127.0.0.1:"
                    + config.cqlPort()
                    + " is not reachable (pid "
                    + pid
                    + " exited; last log lines of ")
            .hasMessageContaining("cassandra.log")
            .hasCauseInstanceOf(java.util.concurrent.ExecutionException.class);
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - begin);
        System.out.println(
            "Cassandra killed after "
                + acknowledged.get()
                + " acknowledged writes; failure seen within "
                + seconds
                + " s");
        assertThat(acknowledged.get()).isGreaterThanOrEqualTo(KILL_AFTER_WRITES);
        assertThat(services.status(Service.CASSANDRA).state())
            .isEqualTo(ServiceStatus.State.EXITED);
      }
    } finally {
      services.stop();
    }
    assertThat(services.status(Service.CASSANDRA).state())
        .isEqualTo(ServiceStatus.State.NOT_RUNNING);
    assertThat(ProcessControl.processesUsing(config.stateDir())).isEmpty();
  }

  /** Async writes, at most 128 in flight; kill -9 of Cassandra after KILL_AFTER_WRITES acks. */
  private static void writeUntilFailure(
      CqlSession session, PreparedStatement insert, long pid, AtomicInteger acknowledged)
      throws Exception {
    Semaphore inFlight = new Semaphore(128);
    CompletableFuture<Void> firstFailure = new CompletableFuture<>();
    boolean killed = false;
    for (int id = 0; !firstFailure.isDone(); id++) {
      if (!killed && acknowledged.get() >= KILL_AFTER_WRITES) {
        // Kill mid-stream, with writes in flight.
        ProcessControl.killHard(pid, Duration.ofSeconds(10));
        killed = true;
      }
      inFlight.acquire();
      session
          .executeAsync(insert.bind(id, "v" + id))
          .whenComplete(
              (rs, error) -> {
                inFlight.release();
                if (error != null) {
                  firstFailure.completeExceptionally(error);
                } else {
                  acknowledged.incrementAndGet();
                }
              });
    }
    firstFailure.get(1, TimeUnit.SECONDS);
  }
}
