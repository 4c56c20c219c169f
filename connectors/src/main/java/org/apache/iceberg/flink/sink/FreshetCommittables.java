package org.apache.iceberg.flink.sink;

/**
 * Freshet's one reach into Iceberg's Flink sink: a committable under another job id. Iceberg's
 * committable class is package-private, so this lives in its package (same jar, same class loader).
 * Used by {@code io.freshet.connectors.iceberg.AggregatorRestoreGuard} to give each run that starts
 * without state its own commit identity (see there).
 */
public final class FreshetCommittables {
  private FreshetCommittables() {}

  /**
   * The same committable (manifest, operator id, checkpoint id) recorded under {@code jobId}.
   *
   * @throws IllegalArgumentException if {@code committable} is not Iceberg's committable (an
   *     Iceberg upgrade changed its sink; revisit the guard)
   */
  public static Object withJobId(Object committable, String jobId) {
    if (!(committable instanceof IcebergCommittable c)) {
      throw new IllegalArgumentException(
          "not an Iceberg committable: "
              + (committable == null ? "null" : committable.getClass().getName()));
    }
    return new IcebergCommittable(c.manifest(), jobId, c.operatorId(), c.checkpointId());
  }

  /** The job id a committable is recorded under. */
  public static String jobId(Object committable) {
    return ((IcebergCommittable) committable).jobId();
  }
}
