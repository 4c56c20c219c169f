package io.freshet.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.freshet.spec.Aggregation;
import io.freshet.spec.FeatureDef;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SourceSpec;
import io.freshet.spec.ValueType;
import io.freshet.spec.ViewSpec;
import io.freshet.store.iceberg.HistoryCatalogs;
import io.freshet.store.iceberg.HistoryTables;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.SchemaBuilder;
import org.apache.iceberg.catalog.Catalog;
import org.junit.jupiter.api.Test;

/**
 * A training set reads a feature only under the definition that wrote its history, and expires
 * values with the ttl the job applied (the history table records both), not with whatever a local
 * spec file says.
 */
class WrittenDefinitionTest {
  private static final SourceSpec SOURCE =
      new SourceSpec(
          "events",
          "events",
          "event.avsc",
          SchemaBuilder.record("Event")
              .fields()
              .requiredString("id")
              .requiredDouble("amount")
              .endRecord(),
          "id",
          "ts",
          Duration.ofSeconds(1),
          Duration.ofMinutes(10),
          Duration.ofMinutes(1));

  private static ViewSpec view(Duration window, Duration ttl) {
    FeatureDef sum =
        new FeatureDef(
            "amount_sum",
            Aggregation.SUM,
            "amount",
            ValueType.DOUBLE,
            window,
            Duration.ofMinutes(1),
            null,
            null);
    return new ViewSpec("spend", ttl, null, List.of(sum), List.of());
  }

  @Test
  void aFeatureRedefinedUnderItsNameIsRefusedAndTheTtlIsTheWrittenOne() throws Exception {
    Path dir = Path.of("target", "written-definition-" + UUID.randomUUID()).toAbsolutePath();
    Files.createDirectories(dir);
    Catalog catalog =
        HistoryCatalogs.load("freshet", HistoryCatalogs.complete(Map.of(), dir.resolve("state")));
    ViewSpec written = view(Duration.ofHours(1), Duration.ofDays(2));
    HistoryTables.ensure(catalog, "freshet", SOURCE, written);
    Path spine = dir.resolve("spine.csv");
    Files.writeString(spine, "id,ts\ne1,2026-01-01T00:00:00Z\n");

    ViewSpec redefined = view(Duration.ofHours(2), Duration.ofDays(2));
    assertThatThrownBy(
            () ->
                TrainingSet.builder()
                    .catalog(catalog, "freshet", Map.of())
                    .spec(new FeatureSpec(null, SOURCE, List.of(redefined)))
                    .spine(spine)
                    .entityColumn("id")
                    .timestampColumn("ts")
                    .select("spend:amount_sum")
                    .output(dir.resolve("o.parquet"))
                    .build())
        .isInstanceOf(TrainingSetException.class)
        .hasMessageContaining("feature 'spend:amount_sum' is defined as sum|amount|DOUBLE|7200000")
        .hasMessageContaining("its history was written as sum|amount|DOUBLE|3600000");

    // the same feature under a spec with another ttl: the manifest records the written one
    ViewSpec otherTtl = view(Duration.ofHours(1), Duration.ofDays(9));
    Manifest m =
        TrainingSet.builder()
            .catalog(catalog, "freshet", Map.of())
            .spec(new FeatureSpec(null, SOURCE, List.of(otherTtl)))
            .spine(spine)
            .entityColumn("id")
            .timestampColumn("ts")
            .select("spend:amount_sum")
            .output(dir.resolve("o.parquet"))
            .build()
            .run();
    assertThat(m.views())
        .singleElement()
        .satisfies(v -> assertThat(v.ttlMillis()).isEqualTo(Duration.ofDays(2).toMillis()));
  }
}
