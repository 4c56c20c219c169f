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
 * @param walkedTo the event time up to which every event surely has its update: for Freshet the
 *     lowest of its subtasks' greatest valid_from ({@link Verifier#freshet}), {@code
 *     Long.MAX_VALUE} for runs that compute every event (SQL, the source alone)
 * @param walked the events up to {@code walkedTo}: Freshet walks each subtask's events up to the
 *     last watermark it got before the end of a bounded input only (the state stays as of the
 *     data's watermark, semantics.md); the events after it, read and kept in state, do not count in
 *     its rate
 */
record RunResult(
    long events,
    long jobMillis,
    long wallMillis,
    long outputs,
    long deadLetters,
    List<Probe.Sample> samples,
    long taskCpuMillis,
    long walkedTo,
    long walked) {

  /** A run that computed every event it read. */
  static RunResult complete(
      long events,
      long jobMillis,
      long wallMillis,
      long outputs,
      long deadLetters,
      List<Probe.Sample> samples) {
    return new RunResult(
        events, jobMillis, wallMillis, outputs, deadLetters, samples, 0, Long.MAX_VALUE, events);
  }

  RunResult withTaskCpu(long millis) {
    return new RunResult(
        events, jobMillis, wallMillis, outputs, deadLetters, samples, millis, walkedTo, walked);
  }

  /** Task CPU microseconds per event computed. */
  double cpuMicrosPerEvent() {
    return taskCpuMillis * 1000.0 / walked;
  }

  /** Events computed per second of the job's runtime. */
  double eventsPerSecond() {
    return walked * 1000.0 / jobMillis;
  }
}
