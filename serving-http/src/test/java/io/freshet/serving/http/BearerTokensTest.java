package io.freshet.serving.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tokens file: format, refusal of an unusable file, and rotation without a restart. */
class BearerTokensTest {
  private static final long SECOND = 1_000_000_000L;
  @TempDir Path dir;

  private Path file(String text, long modifiedSeconds) throws Exception {
    Path f = dir.resolve("tokens");
    Files.writeString(f, text);
    Files.setLastModifiedTime(f, FileTime.fromMillis(modifiedSeconds * 1000));
    return f;
  }

  @Test
  void oneTokenPerLineWithCommentsAndBlanks() throws Exception {
    BearerTokens t = BearerTokens.load(file("# ops\n\n  a1 \r\nb2\n#c3\n", 1));
    assertThat(t.size()).isEqualTo(2);
    assertThat(t.accepts("a1")).isTrue();
    assertThat(t.accepts("b2")).isTrue();
    assertThat(t.accepts(" a1")).isFalse();
    assertThat(t.accepts("#c3")).isFalse();
    assertThat(t.accepts("c3")).isFalse();
    assertThat(t.accepts("")).isFalse();
    assertThat(t.accepts(null)).isFalse();
  }

  @Test
  void aMissingOrEmptyFileIsRefusedSayingWhy() throws Exception {
    assertThatThrownBy(() -> BearerTokens.load(dir.resolve("nope")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("cannot read the tokens file " + dir.resolve("nope"));
    Path empty = file("# no token yet\n\n", 1);
    assertThatThrownBy(() -> BearerTokens.load(empty))
        .hasMessage(
            "the tokens file "
                + empty
                + " has no token: write one token per line (lines starting with # are comments)");
  }

  @Test
  void aChangedFileIsRereadAtMostOnceASecondAndABadRereadKeepsTheTokens() throws Exception {
    AtomicLong now = new AtomicLong(100 * SECOND);
    Path f = file("old\n", 1);
    BearerTokens t = BearerTokens.load(f, now::get);
    file("new\n", 2);
    assertThat(t.accepts("new")).as("not looked at again within a second").isFalse();
    now.addAndGet(SECOND);
    assertThat(t.accepts("new")).isTrue();
    assertThat(t.accepts("old")).isFalse();

    file("# emptied by mistake\n", 3);
    now.addAndGet(SECOND);
    assertThat(t.accepts("new")).as("an empty reread keeps the tokens in force").isTrue();
    Files.delete(f);
    now.addAndGet(SECOND);
    assertThat(t.accepts("new")).as("so does a missing file").isTrue();
    file("newer\n", 4);
    now.addAndGet(SECOND);
    assertThat(t.accepts("newer")).isTrue();
    assertThat(t.size()).isEqualTo(1);
  }
}
