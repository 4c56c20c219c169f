package io.freshet.connectors.iceberg;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.avro.FeatureUpdate;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SpecParser;
import io.freshet.spec.ViewSpec;
import io.freshet.store.StoreColumn;
import io.freshet.store.iceberg.HistoryCatalogs;
import io.freshet.store.iceberg.HistoryTables;
import io.freshet.testing.HistoryRows;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptionsInternal;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.iceberg.catalog.Catalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job started without its state under a job id that already committed to the history (Kubernetes
 * application mode without high availability gives every start the same id) still commits: Iceberg
 * dedupes commits by job id and checkpoint id, and a fresh start numbers its checkpoints from 1
 * again (or ends its input as "checkpoint" Long.MAX_VALUE, as the first run did).
 */
class SameJobIdIT {
  private static final String JOB_ID = "0000000000000000000000000000c0de";

  @TempDir Path dir;

  @Test
  @Timeout(180)
  void aSecondStartWithoutStateUnderTheSameJobIdStillCommits() throws Exception {
    FeatureSpec spec = SpecParser.parse(Path.of("../examples/payments/payments.yaml"));
    ViewSpec view = spec.views().get(0);
    Configuration conf = new Configuration();
    conf.set(IcebergOptions.URI, "jdbc:sqlite:" + dir.resolve("catalog.db"));
    conf.set(IcebergOptions.WAREHOUSE, dir.resolve("warehouse").toUri().toString());
    conf.set(IcebergOptions.NAMESPACE, "samejob");

    run(spec, view, conf, List.of("a1", "a2", "a3"));
    run(spec, view, conf, List.of("b1", "b2"));

    Map<String, String> props = IcebergHistorySink.catalogProperties(conf);
    Catalog catalog = HistoryCatalogs.load("freshet", HistoryCatalogs.complete(props, dir));
    List<String> entities = new ArrayList<>();
    try {
      HistoryRows.read(catalog.loadTable(HistoryTables.identifier("samejob", view.name())))
          .forEach(r -> entities.add((String) r.getField(StoreColumn.ENTITY.column())));
    } finally {
      if (catalog instanceof AutoCloseable c) {
        c.close();
      }
    }
    Collections.sort(entities);
    assertThat(entities)
        .as("rows of both starts under job id %s", JOB_ID)
        .containsExactly("a1", "a2", "a3", "b1", "b2");
  }

  private static void run(FeatureSpec spec, ViewSpec view, Configuration conf, List<String> who)
      throws Exception {
    Configuration job = new Configuration();
    job.set(PipelineOptionsInternal.PIPELINE_FIXED_JOB_ID, JOB_ID);
    // a local environment starts a cluster of its own per run, as a Kubernetes application
    // cluster starts anew (one cluster refuses a second submission of a job id)
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(job);
    env.setParallelism(1);
    List<FeatureUpdate> updates = new ArrayList<>();
    for (String entity : who) {
      List<Object> values = new ArrayList<>(Collections.nCopies(view.features().size(), null));
      updates.add(
          FeatureUpdate.newBuilder()
              .setEntity(entity)
              .setView(view.name())
              .setValidFrom(1_767_225_600_000L)
              .setLastEventTime(1_767_225_600_000L)
              .setValues(values)
              .setSpecVersion("test")
              .setCorrection(false)
              .build());
    }
    IcebergHistorySink.append(
        env.fromData(updates, new AvroTypeInfo<>(FeatureUpdate.class)), spec.source(), view, conf);
    env.execute("same job id").getJobExecutionResult();
  }
}
