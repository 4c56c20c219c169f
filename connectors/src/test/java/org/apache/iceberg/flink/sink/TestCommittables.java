package org.apache.iceberg.flink.sink;

/** Iceberg's package-private committable, made by tests of the restore guard. */
public final class TestCommittables {
  private TestCommittables() {}

  public static Object of(String manifest, String jobId, String operatorId, long checkpointId) {
    return new IcebergCommittable(manifest.getBytes(), jobId, operatorId, checkpointId);
  }

  public static String manifest(Object committable) {
    return new String(((IcebergCommittable) committable).manifest());
  }
}
