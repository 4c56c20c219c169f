package io.freshet.connectors.cassandra;

import io.freshet.avro.FeatureUpdate;
import io.freshet.spec.SourceSpec;
import io.freshet.spec.ViewSpec;
import java.io.IOException;
import java.util.Collection;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * The online store of one view: a Sink V2 writing each {@link FeatureUpdate} as an idempotent,
 * versioned upsert of the entity's row in the view's Cassandra table (see {@link ViewTableSchema}
 * for the layout, {@link WriteVersion} for the timestamp and TTL rules, {@link
 * CassandraFeatureWriter} for the error contract).
 *
 * <p>Jobs attach it through {@link CassandraUpdateSink}, which sets its uid ({@link #uid}) and
 * name.
 *
 * <p>Guarantee: at-least-once delivery with idempotent writes, so after a checkpoint completes
 * every update before it is in Cassandra or in the checkpoint (the writes not finished then, which
 * a restored writer sends again first; see {@link CassandraFeatureWriter}), and after a restore
 * Cassandra converges to the same values (replays cannot regress a value). Subtask 0 creates and
 * evolves the table on start; the others wait for it.
 */
public final class CassandraFeatureSink
    implements Sink<FeatureUpdate>, SupportsWriterState<FeatureUpdate, FeatureUpdate> {
  private static final long serialVersionUID = 1L;

  private final SourceSpec source;
  private final ViewSpec view;
  private final Configuration conf;

  private CassandraFeatureSink(SourceSpec source, ViewSpec view, Configuration conf) {
    this.source = source;
    this.view = view;
    this.conf = new Configuration(conf);
  }

  /**
   * The sink of a view's updates, configured by {@link CassandraOptions} in {@code conf}. Checks
   * the options and the view's names now (IllegalArgumentException / {@link ViewSchemaException}
   * saying what to fix); connects only when the job runs.
   */
  public static CassandraFeatureSink forView(SourceSpec source, ViewSpec view, Configuration conf) {
    CassandraSessions.validate(conf);
    ViewTableSchema.validate(view);
    return new CassandraFeatureSink(source, view, conf);
  }

  /** A stable uid for the sink operator of this view. */
  public static String uid(SourceSpec source, ViewSpec view) {
    return "cassandra-sink-" + source.name() + "-" + view.name();
  }

  @Override
  public CassandraFeatureWriter createWriter(WriterInitContext context) throws IOException {
    return CassandraFeatureWriter.open(
        source,
        view,
        conf,
        context.getTaskInfo().getIndexOfThisSubtask(),
        context.metricGroup(),
        System::currentTimeMillis);
  }

  @Override
  public StatefulSinkWriter<FeatureUpdate, FeatureUpdate> restoreWriter(
      WriterInitContext context, Collection<FeatureUpdate> unfinished) throws IOException {
    CassandraFeatureWriter writer = createWriter(context);
    writer.restore(unfinished);
    return writer;
  }

  @Override
  public SimpleVersionedSerializer<FeatureUpdate> getWriterStateSerializer() {
    return new PendingWritesSerializer();
  }
}
