package io.freshet.bench;

import java.util.List;

/**
 * What one job run produced.
 *
 * @param jobMillis the job's net runtime as Flink reports it: job start to finish, without the
 *     local cluster's start-up
 * @param wallMillis {@code env.execute} as the client saw it, cluster start-up included
 * @param outputs records the sink saw: feature updates (Freshet) or per-event rows (SQL)
 * @param deadLetters dead letters (Freshet; always 0 for SQL)
 * @param samples the sampled outputs, for the correctness check
 * @param taskCpuMillis CPU time of the job's task threads (see {@link TaskCpu}), or 0 if not
 *     measured
 */
record RunResult(
    long events,
    long jobMillis,
    long wallMillis,
    long outputs,
    long deadLetters,
    List<Probe.Sample> samples,
    long taskCpuMillis) {

  RunResult withTaskCpu(long millis) {
    return new RunResult(events, jobMillis, wallMillis, outputs, deadLetters, samples, millis);
  }

  /** Task CPU microseconds per event. */
  double cpuMicrosPerEvent() {
    return taskCpuMillis * 1000.0 / events;
  }

  double eventsPerSecond() {
    return events * 1000.0 / jobMillis;
  }
}
