package io.freshet.services;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateDirectoryTest {
  private static final Path USER_HOME = Path.of("/home/someone");

  @Test
  void thePropertyWinsOverTheVariableAndBothOverTheCheckout(@TempDir Path checkout)
      throws Exception {
    Path module = aCheckout(checkout).resolve("cli");
    Map<String, String> env = Map.of("FRESHET_STATE_DIR", "/env-state");
    assertThat(StateDirectory.resolve(env::get, k -> null, module, USER_HOME))
        .isEqualTo(Path.of("/env-state"));
    assertThat(
            StateDirectory.resolve(
                env::get, Map.of("freshet.state.dir", "/prop-state")::get, module, USER_HOME))
        .isEqualTo(Path.of("/prop-state"));
  }

  @Test
  void fromAModuleOfACheckoutItIsTheCheckoutsDotFreshet(@TempDir Path checkout) throws Exception {
    Path module = Files.createDirectories(aCheckout(checkout).resolve("jobs/src"));
    assertThat(StateDirectory.resolve(k -> null, k -> null, module, USER_HOME))
        .isEqualTo(checkout.resolve(".freshet"));
  }

  @Test
  void freshetHomeNamesTheCheckout() {
    assertThat(
            StateDirectory.resolve(
                k -> null, Map.of("freshet.home", "/repo")::get, Path.of("/tmp"), USER_HOME))
        .isEqualTo(Path.of("/repo/.freshet"));
    assertThat(
            StateDirectory.resolve(
                Map.of("FRESHET_HOME", "/repo2")::get, k -> null, Path.of("/tmp"), USER_HOME))
        .isEqualTo(Path.of("/repo2/.freshet"));
  }

  @Test
  void outsideACheckoutItIsTheUsersDotFreshet(@TempDir Path elsewhere) throws Exception {
    // another Maven project (a .mvn/ without bin/freshet) is not a Freshet checkout
    Files.createDirectories(elsewhere.resolve(".mvn"));
    assertThat(StateDirectory.resolve(k -> null, k -> null, elsewhere, USER_HOME))
        .isEqualTo(USER_HOME.resolve(".freshet"));
  }

  private static Path aCheckout(Path dir) throws Exception {
    Files.createDirectories(dir.resolve(".mvn"));
    Files.createDirectories(dir.resolve("bin"));
    Files.writeString(dir.resolve("bin/freshet"), "#!/usr/bin/env bash\n");
    return dir;
  }
}
