package io.freshet.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The fixed columns are persisted in every table: their names, order and types must not move. */
class StoreColumnTest {

  @Test
  void historyTablesHaveEveryFixedColumnInThisOrder() {
    assertThat(StoreColumn.NAMES)
        .containsExactly(
            "entity",
            "valid_from",
            "last_event_time",
            "written_at",
            "spec_version",
            "correction",
            "revision",
            "warming_up");
  }

  @Test
  void onlineTablesHaveAllButCorrectionWithTheirCqlTypes() {
    assertThat(StoreColumn.ONLINE.stream().map(c -> c.column() + " " + c.cqlType()))
        .containsExactly(
            "entity text",
            "valid_from bigint",
            "last_event_time bigint",
            "written_at bigint",
            "spec_version text",
            "revision int",
            "warming_up frozen<list<text>>");
    assertThatThrownBy(StoreColumn.CORRECTION::cqlType).isInstanceOf(IllegalStateException.class);
  }
}
