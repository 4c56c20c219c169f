package io.freshet.training.flink;

import io.freshet.training.TrainingOutput;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.parquet.hadoop.ParquetWriter;

/**
 * Writes the training set's rows, in the order they arrive, to one Parquet file through the
 * training module's {@link TrainingOutput} (the in-process builder's writer). Run it with
 * parallelism 1: the output is one file in spine order.
 *
 * <p>Error contract: a failed write fails the job (the writer is synchronous; there is nothing in
 * flight). The file is complete once the input has ended (the footer is written on the final
 * flush); a failed or restarted job leaves a partial file that the next attempt replaces and the
 * caller ({@code TrainingSet.run}) deletes.
 */
final class ParquetFileSink implements Sink<TrainingRow> {
  private static final long serialVersionUID = 1L;

  private final String file;
  private final Schema schema;

  ParquetFileSink(Path file, Schema schema) {
    this.file = file.toAbsolutePath().toString();
    this.schema = schema;
  }

  @Override
  public SinkWriter<TrainingRow> createWriter(WriterInitContext context) throws IOException {
    if (context.getTaskInfo().getNumberOfParallelSubtasks() != 1) {
      throw new IllegalStateException("the training-set output is one file: run its sink alone");
    }
    return new Writer(TrainingOutput.open(Path.of(file), schema));
  }

  private static final class Writer implements SinkWriter<TrainingRow> {
    private ParquetWriter<GenericRecord> parquet;

    Writer(ParquetWriter<GenericRecord> parquet) {
      this.parquet = parquet;
    }

    @Override
    public void write(TrainingRow row, Context context) throws IOException {
      parquet.write(row.record);
    }

    @Override
    public void flush(boolean endOfInput) throws IOException {
      if (endOfInput) {
        close();
      }
    }

    @Override
    public void close() throws IOException {
      if (parquet != null) {
        ParquetWriter<GenericRecord> p = parquet;
        parquet = null;
        p.close();
      }
    }
  }
}
