package io.freshet.connectors.iceberg;

import java.io.IOException;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.SupportsConcurrentExecutionAttempts;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.SupportsPostCommitTopology;
import org.apache.flink.streaming.api.connector.sink2.SupportsPreCommitTopology;
import org.apache.flink.streaming.api.connector.sink2.SupportsPreWriteTopology;
import org.apache.flink.streaming.api.datastream.CustomSinkOperatorUidHashes;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSink;
import org.apache.flink.streaming.api.transformations.PartitionTransformation;
import org.apache.flink.streaming.runtime.partitioner.GlobalPartitioner;
import org.apache.flink.table.data.RowData;
import org.apache.iceberg.flink.sink.IcebergSink;
import org.apache.iceberg.io.WriteResult;

/**
 * Iceberg's {@link IcebergSink} with its pre-commit aggregator restored from checkpoints like every
 * other stateful task, so that a job restored after a failure still commits every row exactly once.
 *
 * <pre>
 *            Iceberg                          one task, restored                  Iceberg
 *  rows ─► writers (n) ─global─► [ aggregator ─forward─► AggregatorRestoreGuard ] ─global─► committer
 * </pre>
 *
 * <p>Why (Iceberg 1.11.0 on Flink 2.1): Iceberg's aggregator keeps no state, and Flink hands the
 * restored checkpoint id only to tasks that have state. After a restore the aggregator therefore
 * starts from "last checkpoint 0". If its input ends before the first checkpoint barrier after the
 * restore reaches it (a bounded job replaying its tail, or a drain), it numbers its final
 * committable 0 + 1 = 1; the committer reads the table's {@code flink.max-committed-checkpoint-id}
 * of this job (at least 1 once anything was committed), takes checkpoint 1 as already committed and
 * drops it: the replayed rows are written to data files that no snapshot ever references. The
 * {@link AggregatorRestoreGuard} chained behind the aggregator keeps one long of operator state,
 * which makes Flink restore the shared task and so hand the aggregator the restored checkpoint id;
 * the guard also fails the job, instead of losing rows, should a committable still carry a
 * checkpoint id at or below the restored one.
 *
 * <p>Everything else (writers, distribution, committer, maintenance, uids, names, parallelism) is
 * Iceberg's own: this class only delegates, and {@link #append} attaches the sink through {@link
 * IcebergSink.Builder#append()} itself.
 *
 * @param <CommT> Iceberg's committable type (package-private in Iceberg, hence a type parameter)
 */
final class RestoreSafeIcebergSink<CommT>
    implements Sink<RowData>,
        SupportsPreWriteTopology<RowData>,
        SupportsCommitter<CommT>,
        SupportsPreCommitTopology<WriteResult, CommT>,
        SupportsPostCommitTopology<CommT>,
        SupportsConcurrentExecutionAttempts {
  private static final long serialVersionUID = 1L;

  static final String GUARD_NAME = "aggregator restore guard";

  private final IcebergSink iceberg;

  private RestoreSafeIcebergSink(IcebergSink iceberg) {
    if (iceberg instanceof SupportsWriterState<?, ?>) {
      // this class would silently drop the writers' state: refuse rather than lose it
      throw new IllegalStateException(
          "IcebergSink now keeps writer state, which RestoreSafeIcebergSink does not delegate;"
              + " delegate it, or drop RestoreSafeIcebergSink if Iceberg restores its aggregator");
    }
    this.iceberg = iceberg;
  }

  /**
   * Configures Iceberg's sink builder for {@code rows} and attaches the sink, wrapped in this
   * class.
   *
   * @param configure sets the table loader, uid suffix and other options on Iceberg's builder
   * @return the attached sink, carrying the uid, name and parallelism Iceberg's builder gave it
   */
  static DataStreamSink<RowData> append(
      DataStream<RowData> rows, UnaryOperator<IcebergSink.Builder> configure) {
    if (!rows.getExecutionEnvironment().isChainingEnabled()) {
      throw new IllegalStateException(
          "The Iceberg history sink needs operator chaining (its restore guard must share the"
              + " task of Iceberg's aggregator): keep pipeline.operator-chaining.enabled true");
    }
    WrappingInput input = new WrappingInput(rows);
    DataStreamSink<RowData> sink = configure.apply(IcebergSink.forRowData(input)).append();
    if (!input.wrapped) {
      throw new IllegalStateException(
          "IcebergSink.Builder#append() did not attach its sink through DataStream#sinkTo, so the"
              + " history sink could not guard it against lost commits after a restore;"
              + " revisit RestoreSafeIcebergSink for this Iceberg version");
    }
    return sink;
  }

  /** The rows as Iceberg's builder sees them: whatever sink it attaches is wrapped first. */
  private static final class WrappingInput extends DataStream<RowData> {
    private boolean wrapped;

    WrappingInput(DataStream<RowData> rows) {
      super(rows.getExecutionEnvironment(), rows.getTransformation());
    }

    @Override
    public DataStreamSink<RowData> sinkTo(Sink<RowData> sink, CustomSinkOperatorUidHashes hashes) {
      if (!(sink instanceof IcebergSink iceberg)) {
        throw new IllegalArgumentException("expected Iceberg's IcebergSink, got " + sink);
      }
      wrapped = true;
      return super.sinkTo(new RestoreSafeIcebergSink<>(iceberg), hashes);
    }
  }

  @Override
  public SinkWriter<RowData> createWriter(WriterInitContext context) throws IOException {
    return iceberg.createWriter(context);
  }

  @Override
  public DataStream<RowData> addPreWriteTopology(DataStream<RowData> rows) {
    return iceberg.addPreWriteTopology(rows);
  }

  @Override
  public SimpleVersionedSerializer<WriteResult> getWriteResultSerializer() {
    return iceberg.getWriteResultSerializer();
  }

  /**
   * Iceberg's aggregator followed, in the same task, by the {@link AggregatorRestoreGuard}. Iceberg
   * ends its pre-commit topology with a global exchange behind the aggregator; the guard is placed
   * before that exchange (a forward edge between two operators of parallelism 1, which Flink
   * chains), and the global exchange is put back behind the guard.
   */
  @Override
  public DataStream<CommittableMessage<CommT>> addPreCommitTopology(
      DataStream<CommittableMessage<WriteResult>> writeResults) {
    DataStream<CommittableMessage<CommT>> aggregated =
        icebergPreCommit().addPreCommitTopology(writeResults);
    Transformation<CommittableMessage<CommT>> exchange = aggregated.getTransformation();
    if (!(exchange instanceof PartitionTransformation<CommittableMessage<CommT>> global
        && global.getPartitioner() instanceof GlobalPartitioner
        && global.getInputs().size() == 1
        && global.getInputs().get(0).getParallelism() == 1)) {
      throw new IllegalStateException(
          "Iceberg's pre-commit topology no longer ends with its aggregator (parallelism 1) and a"
              + " global exchange, so the restore guard cannot share the aggregator's task:"
              + " revisit RestoreSafeIcebergSink for this Iceberg version (found "
              + exchange
              + ")");
    }
    @SuppressWarnings("unchecked")
    Transformation<CommittableMessage<CommT>> aggregator =
        (Transformation<CommittableMessage<CommT>>) global.getInputs().get(0);
    return new DataStream<>(aggregated.getExecutionEnvironment(), aggregator)
        .transform(GUARD_NAME, aggregated.getType(), new AggregatorRestoreGuard<CommT>())
        .uid(GUARD_NAME)
        .setParallelism(1)
        .setMaxParallelism(1)
        .global();
  }

  @Override
  public Committer<CommT> createCommitter(CommitterInitContext context) throws IOException {
    return icebergCommitting().createCommitter(context);
  }

  @Override
  public SimpleVersionedSerializer<CommT> getCommittableSerializer() {
    return icebergCommitting().getCommittableSerializer();
  }

  @Override
  public void addPostCommitTopology(DataStream<CommittableMessage<CommT>> committed) {
    icebergPostCommit().addPostCommitTopology(committed);
  }

  // IcebergSink implements these with its package-private committable type, named CommT here.

  @SuppressWarnings("unchecked")
  private SupportsCommitter<CommT> icebergCommitting() {
    return (SupportsCommitter<CommT>) (Object) iceberg;
  }

  @SuppressWarnings("unchecked")
  private SupportsPreCommitTopology<WriteResult, CommT> icebergPreCommit() {
    return (SupportsPreCommitTopology<WriteResult, CommT>) (Object) iceberg;
  }

  @SuppressWarnings("unchecked")
  private SupportsPostCommitTopology<CommT> icebergPostCommit() {
    return (SupportsPostCommitTopology<CommT>) (Object) iceberg;
  }
}
