package io.freshet.services;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JdkLocatorTest {

  private static Path fakeJdk(Path dir, String version) throws Exception {
    Files.createDirectories(dir.resolve("bin"));
    Path java = dir.resolve("bin/java");
    Files.writeString(java, "#!/bin/sh\nexit 1\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.writeString(dir.resolve("release"), "JAVA_VERSION=\"" + version + "\"\n");
    return dir;
  }

  @Test
  void readsTheMajorVersionFromTheReleaseFile(@TempDir Path tmp) throws Exception {
    assertThat(JdkLocator.majorVersion(fakeJdk(tmp.resolve("a"), "17.0.15"))).contains(17);
    assertThat(JdkLocator.majorVersion(fakeJdk(tmp.resolve("b"), "25"))).contains(25);
    assertThat(JdkLocator.majorVersion(tmp.resolve("nothing"))).isEmpty();
  }

  @Test
  void anExplicitNon17HomeIsRefusedWithAReason(@TempDir Path tmp) throws Exception {
    Path jdk25 = fakeJdk(tmp.resolve("jdk25"), "25.0.1");
    assertThatThrownBy(() -> JdkLocator.findJava17(Optional.of(jdk25)))
        .isInstanceOf(LocalServicesException.class)
        .hasMessageContaining(jdk25 + " (freshet.java.home / FRESHET_JAVA_HOME) is JDK 25")
        .hasMessageContaining("Cassandra 5.0 needs a JDK 17");
  }

  @Test
  void findsTheJdk17ThatRunsTheBuild() {
    // The build itself runs on 17 (the enforcer insists), so the search must succeed.
    assertThat(JdkLocator.findJava17(Optional.empty())).isExecutable();
  }
}
