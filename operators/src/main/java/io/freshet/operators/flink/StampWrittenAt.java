package io.freshet.operators.flink;

import io.freshet.avro.FeatureUpdate;
import org.apache.flink.api.common.functions.MapFunction;

/**
 * Stamps {@code written_at} (processing time) on an update just before it fans out to the online
 * and offline stores, so the history records when each value went online: the basis of "as served"
 * training sets. A replay after a restore stamps again, as the value is written again.
 */
public final class StampWrittenAt implements MapFunction<FeatureUpdate, FeatureUpdate> {
  private static final long serialVersionUID = 1L;

  @Override
  public FeatureUpdate map(FeatureUpdate u) {
    u.setWrittenAt(System.currentTimeMillis());
    return u;
  }
}
