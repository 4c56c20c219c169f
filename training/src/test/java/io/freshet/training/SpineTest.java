package io.freshet.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CSV spine: header, RFC 4180 quoting, blank lines, and errors that name the row. */
class SpineTest {
  @TempDir Path dir;

  @Test
  void readsQuotedValuesBlankLinesAndCrlfAfterAByteOrderMark() throws Exception {
    Path csv =
        write(
            "\uFEFFentity,label,timestamp\r\n"
                + "e1,\"a, b\",1767225600000\r\n"
                + "\r\n"
                + "\"e\"\"2\",,2026-01-01T00:00:01Z\r\n"
                + "e3,\"two\nlines\",2026-01-01 00:00:02\r\n");
    try (Spine s = Spine.open(csv, "entity", "timestamp")) {
      assertThat(s.schema().getFields())
          .extracting(f -> f.name())
          .containsExactly("entity", "label", "timestamp");
      List<String> rows = new ArrayList<>();
      while (s.next()) {
        rows.add(
            s.rowNumber()
                + " "
                + s.entity()
                + " "
                + s.timestamp()
                + " "
                + Arrays.toString(s.values()));
      }
      assertThat(rows)
          .containsExactly(
              "1 e1 1767225600000 [e1, a, b, 1767225600000]",
              "2 e\"2 1767225601000 [e\"2, null, 2026-01-01T00:00:01Z]",
              "3 e3 1767225602000 [e3, two\nlines, 2026-01-01 00:00:02]");
    }
  }

  @Test
  void errorsNameTheRow() throws Exception {
    assertThatThrownBy(() -> Spine.open(write(""), "entity", "timestamp"))
        .isInstanceOf(TrainingSetException.class)
        .hasMessageContaining("is empty: it needs a header row");
    assertThatThrownBy(() -> Spine.open(write("customer,ts\n"), "entity", "timestamp"))
        .hasMessageContaining("has no column entity (entity), no column timestamp (timestamp)")
        .hasMessageContaining("[customer, ts]");
    assertThatThrownBy(() -> readAll(write("entity,timestamp\ne1,1\ne2,2,x\n")))
        .isInstanceOf(TrainingSetException.class)
        .hasMessageContaining("row 2 has 3 values but the header has 2 columns");
    assertThatThrownBy(() -> readAll(write("entity,timestamp\ne1,1\n,2\n")))
        .hasMessageContaining("row 2: entity column 'entity' is empty");
    assertThatThrownBy(() -> readAll(write("entity,timestamp\ne1,1\ne2,\n")))
        .hasMessageContaining("row 2: timestamp column 'timestamp' has no value");
    assertThatThrownBy(() -> readAll(write("entity,timestamp\ne1,1\n\"e2,2\ne3,3\n")))
        .isInstanceOf(TrainingSetException.class)
        .hasMessageContaining("row 2 is not valid CSV");
  }

  private Path write(String text) throws Exception {
    Path csv = Files.createTempFile(dir, "spine", ".csv");
    Files.writeString(csv, text);
    return csv;
  }

  private static void readAll(Path csv) throws Exception {
    try (Spine s = Spine.open(csv, "entity", "timestamp")) {
      while (s.next()) {
        // reading is the test
      }
    }
  }
}
