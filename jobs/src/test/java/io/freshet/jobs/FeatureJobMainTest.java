package io.freshet.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.freshet.avro.Decoded;
import io.freshet.connectors.iceberg.IcebergOptions;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SpecParser;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The production sinks' operator uids: savepoints map state by them, so they never change. */
class FeatureJobMainTest {
  @TempDir Path dir;

  @Test
  void everyOperatorKeepsItsUid() {
    assertThat(uids(history()))
        .containsExactly(
            "Sink Committer: dead-letter-sink-payments",
            "Sink Committer: iceberg-history-payments-customer_risk",
            "Sink Committer: iceberg-violations-payments",
            "Sink Committer: violation-sink-payments",
            "cassandra-sink-payments-customer_risk",
            "dead-letter-sink-payments",
            "dead-letter-split-payments",
            "expectations-payments",
            "features-payments-customer_risk",
            "iceberg-history-payments-customer_risk",
            "iceberg-history-payments-customer_risk-rows",
            "iceberg-history-payments-customer_risk: Sink pre-commit aggregator:"
                + " iceberg-history-payments-customer_risk",
            "iceberg-history-payments-customer_risk: aggregator restore guard",
            "iceberg-violations-payments",
            "iceberg-violations-payments-rows",
            "iceberg-violations-payments: Sink pre-commit aggregator: iceberg-violations-payments",
            "iceberg-violations-payments: aggregator restore guard",
            "test-events",
            "test-source",
            "too-late-payments-customer_risk",
            "violation-sink-payments",
            "violations-payments",
            "written-at-payments-customer_risk");
  }

  @Test
  void eachStoreReadsItsOwnEnableFlag() {
    Configuration noCassandra = history();
    noCassandra.setString("freshet.cassandra.enabled", "false");
    assertThat(uids(noCassandra))
        .noneMatch(uid -> uid.startsWith("cassandra-"))
        .anyMatch(uid -> uid.startsWith("iceberg-history-"));

    Configuration noHistory = new Configuration();
    noHistory.setString("freshet.iceberg.enabled", "false");
    assertThat(uids(noHistory))
        .noneMatch(uid -> uid.contains("iceberg-"))
        .contains("cassandra-sink-payments-customer_risk", "dead-letter-sink-payments");
  }

  @Test
  void aSpecBundleNeedsNeitherTheSpecNorTheSchemaFile() throws Exception {
    java.nio.file.Files.copy(
        Path.of("../avro-schemas/src/main/avro/payment.avsc"), dir.resolve("team-payment.avsc"));
    Path file = dir.resolve("team.yaml");
    java.nio.file.Files.writeString(
        file,
        java.nio.file.Files.readString(Path.of("../examples/payments/payments.yaml"))
            .replace("schema: payment.avsc", "schema: team-payment.avsc"));
    String bundle = io.freshet.spec.SpecBundle.read(file).encode();
    java.nio.file.Files.delete(file);
    java.nio.file.Files.delete(dir.resolve("team-payment.avsc"));

    FeatureJobMain.Arguments a =
        FeatureJobMain.arguments(
            new String[] {"--spec-bundle", bundle, "--set", "parallelism.default=3"});
    assertThat(a.spec().source().schemaRef()).isEqualTo("team-payment.avsc");
    assertThat(a.spec().views()).extracting(v -> v.name()).containsExactly("customer_risk");
    assertThat(a.conf().getString("parallelism.default", null)).isEqualTo("3");
  }

  @Test
  void argumentsSayWhatIsWrong() {
    assertThatThrownBy(() -> FeatureJobMain.arguments(new String[] {"--set", "a=b"}))
        .hasMessageContaining("missing --spec FILE")
        .hasMessageContaining(FeatureJobMain.USAGE);
    assertThatThrownBy(
            () ->
                FeatureJobMain.arguments(
                    new String[] {"--spec", "x.yaml", "--spec-bundle", "H4sI"}))
        .hasMessageContaining("not both");
    assertThatThrownBy(() -> FeatureJobMain.arguments(new String[] {"--spec-bundle", "nope"}))
        .hasMessageContaining("not a spec bundle");
    assertThatThrownBy(() -> FeatureJobMain.arguments(new String[] {"--sepc", "x.yaml"}))
        .hasMessageContaining("unknown argument '--sepc'");
  }

  private Configuration history() {
    Configuration conf = new Configuration();
    conf.set(IcebergOptions.URI, "jdbc:sqlite:" + dir.resolve("catalog.db"));
    conf.set(IcebergOptions.WAREHOUSE, dir.resolve("warehouse").toUri().toString());
    return conf;
  }

  /** The uids of the production job's operators (with a test source), sorted. */
  private static List<String> uids(Configuration conf) {
    FeatureSpec spec = SpecParser.parse(Path.of("../examples/payments/payments.yaml"));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    EventSource nothing =
        (e, src, fields, watermarks) ->
            e.fromSequence(0, 0)
                .uid("test-source")
                .map(i -> (Decoded) null, new AvroTypeInfo<>(Decoded.class))
                .uid("test-events");
    new FeatureJob(spec, nothing, FeatureJobMain.sinks(conf)).build(env);
    return env.getStreamGraph().getStreamNodes().stream()
        .map(StreamNode::getTransformationUID)
        .filter(Objects::nonNull)
        .sorted()
        .toList();
  }
}
