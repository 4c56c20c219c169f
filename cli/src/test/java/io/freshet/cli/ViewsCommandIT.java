package io.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.freshet.connectors.cassandra.CassandraFeatureWriter;
import io.freshet.connectors.cassandra.CassandraOptions;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SpecParser;
import io.freshet.testing.RealServicesExtension;
import io.freshet.testing.TestServices;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code freshet views list} and {@code describe} read what is deployed: a metadata table made
 * before the discovery columns (read without them), then a view registered by the job's Cassandra
 * writer from a spec with descriptions, owners and tags, in text and JSON.
 */
@ExtendWith(RealServicesExtension.class)
class ViewsCommandIT {
  @Test
  void listsAndDescribesTheDeployedViewsWithTheirDocs(TestServices services, @TempDir Path dir)
      throws Exception {
    String keyspace = services.keyspace();
    String contact = "127.0.0.1:" + services.cassandraContactPoint().getPort();
    // a keyspace whose metadata table predates discovery: one view, no docs columns
    services
        .cqlSession()
        .execute(
            "CREATE TABLE freshet_views (view_name text PRIMARY KEY, source text, features"
                + " list<text>, types list<text>, ttl_ms bigint, spec_version text, updated_at"
                + " timestamp)");
    services
        .cqlSession()
        .execute(
            "INSERT INTO freshet_views (view_name, source, features, types, ttl_ms, spec_version)"
                + " VALUES ('legacy', 'old', ['n'], ['bigint'], 86400000, 'abc')");
    String[] list = {"views", "list", "--keyspace", keyspace, "--contact-point", contact};
    CliRunner cli = new CliRunner();
    assertThat(cli.run(list)).as(cli.err()).isZero();
    assertThat(cli.out()).containsPattern("legacy +old +1 +1d");

    Path specFile = dir.resolve("payments.yaml");
    Files.writeString(
        specFile,
        Files.readString(Path.of("../examples/payments/payments.yaml"))
            .replace("topic: payments", "topic: views-payments")
            .replace(
                "  - name: customer_risk\n",
                "  - name: customer_risk\n"
                    + "    description: Velocity and spend of a card's customer, for fraud models\n"
                    + "    owner: fraud-team@example.com\n"
                    + "    tags: [fraud, payments]\n")
            .replace(
                "{name: txn_count_1h,     agg: count,                                    window: 1h}",
                "{name: txn_count_1h, agg: count, window: 1h, description: payments in the last"
                    + " hour, tags: [velocity]}"));
    FeatureSpec spec = SpecParser.parse(specFile);
    Configuration conf = new Configuration();
    conf.set(CassandraOptions.CONTACT_POINTS, List.of(contact));
    conf.set(CassandraOptions.LOCAL_DATACENTER, services.cassandraLocalDatacenter());
    conf.set(CassandraOptions.KEYSPACE, keyspace);
    try (CassandraFeatureWriter w =
        CassandraFeatureWriter.open(
            spec.source(),
            spec.views().get(0),
            conf,
            0,
            new UnregisteredMetricsGroup(),
            System::currentTimeMillis)) {
      // registering the view is what the job's sink does when it opens
    }

    assertThat(cli.run(list)).as(cli.err()).isZero();
    assertThat(cli.out())
        // 13 stored and 2 request-time features
        .containsPattern("customer_risk +payments +15 +30d +fraud-team@example.com +fraud,payments")
        .contains("Velocity and spend of a card's customer, for fraud models")
        .containsPattern("legacy +old +1 +1d +- ");
    System.out.print(cli.out());

    assertThat(
            cli.run(
                "views",
                "describe",
                "customer_risk",
                "--keyspace",
                keyspace,
                "--contact-point",
                contact))
        .as(cli.err())
        .isZero();
    System.out.print(cli.out());
    assertThat(cli.out())
        .contains("owner:        fraud-team@example.com")
        .containsPattern(
            "txn_count_1h +long +count window=1h tile=1m +payments in the last hour \\[velocity\\]")
        .containsPattern("last_country +string +last")
        .contains("request:      amount double, country string")
        .containsPattern("amount_vs_avg_7d +double +request: amount / amount_avg_7d");

    assertThat(
            cli.run(
                "views",
                "describe",
                "customer_risk",
                "--json",
                "--keyspace",
                keyspace,
                "--contact-point",
                contact))
        .isZero();
    JsonNode v = new ObjectMapper().readTree(cli.out());
    assertThat(v.path("tags").toString()).isEqualTo("[\"fraud\",\"payments\"]");
    assertThat(v.path("ttl").asText()).isEqualTo("30d");
    assertThat(v.path("spec_version").asText())
        .isEqualTo(spec.views().get(0).version(spec.source()));
    JsonNode first = v.path("features").get(1);
    assertThat(first.path("name").asText()).isEqualTo("txn_count_1h");
    assertThat(first.path("type").asText()).isEqualTo("LONG");
    assertThat(first.path("description").asText()).isEqualTo("payments in the last hour");
    assertThat(first.path("definition").asText()).contains("count");
    assertThat(v.path("request_fields").toString())
        .isEqualTo("{\"amount\":\"DOUBLE\",\"country\":\"STRING\"}");
    assertThat(v.path("features").get(14).path("name").asText()).isEqualTo("country_changed");
    assertThat(v.path("features").get(14).path("type").asText()).isEqualTo("BOOLEAN");

    assertThat(
            cli.run(
                "views", "describe", "nosuch", "--keyspace", keyspace, "--contact-point", contact))
        .isEqualTo(1);
    assertThat(cli.err())
        .isEqualTo(
            "freshet: no view 'nosuch' in keyspace "
                + keyspace
                + " (views: [customer_risk, legacy])\n");
  }
}
