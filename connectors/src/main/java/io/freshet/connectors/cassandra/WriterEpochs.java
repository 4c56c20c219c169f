package io.freshet.connectors.cassandra;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.servererrors.InvalidQueryException;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * Writer epochs: one Cassandra counter per view, in {@code freshet_writer_epochs}, that every
 * writer of the view (each subtask of each attempt of each job) increments when it opens and whose
 * value it then reads. A writer opened later gets a larger epoch, which orders its writes above an
 * earlier writer's of the same valid_from and revision ({@link WriteVersion}): a replay after a
 * restore wins over what the failed attempt wrote. Two subtasks opening at once may read the same
 * value; they write different entities. Read and written at LOCAL_QUORUM, so that a writer sees the
 * increments of writers before it on a multi-node cluster.
 */
final class WriterEpochs {
  static final String TABLE = "freshet_writer_epochs";

  private WriterEpochs() {}

  /** The counter table's DDL (subtask 0 creates it with the view's table). */
  static String createCql(String keyspace) {
    return "CREATE TABLE IF NOT EXISTS "
        + ViewTableSchema.quote(keyspace)
        + "."
        + TABLE
        + " (view_name text PRIMARY KEY, epoch counter)";
  }

  /**
   * Increments the view's counter and returns its new value; waits up to {@code timeout} while the
   * table is not yet visible (subtask 0 creates it).
   */
  static long next(CqlSession session, String keyspace, String view, Duration timeout) {
    String table = ViewTableSchema.quote(keyspace) + "." + TABLE;
    long deadline = System.nanoTime() + timeout.toNanos();
    long pause = 50;
    while (true) {
      try {
        session.execute(
            SimpleStatement.newInstance(
                    "UPDATE " + table + " SET epoch = epoch + 1 WHERE view_name = ?", view)
                .setConsistencyLevel(ConsistencyLevel.LOCAL_QUORUM));
        Row row =
            session
                .execute(
                    SimpleStatement.newInstance(
                            "SELECT epoch FROM " + table + " WHERE view_name = ?", view)
                        .setConsistencyLevel(ConsistencyLevel.LOCAL_QUORUM))
                .one();
        return row == null ? 0 : row.getLong(0);
      } catch (InvalidQueryException e) {
        String message = String.valueOf(e.getMessage());
        boolean notYetVisible =
            message.contains("does not exist") || message.contains("unconfigured table");
        if (!notYetVisible || System.nanoTime() > deadline) {
          throw e;
        }
        LockSupport.parkNanos(pause * 1_000_000L);
        pause = Math.min(pause * 2, 1000);
      }
    }
  }
}
