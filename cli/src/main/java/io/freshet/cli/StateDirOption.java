package io.freshet.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Freshet's one state directory, for the commands that let it be overridden. */
final class StateDirOption {
  @Option(
      names = "--state-dir",
      paramLabel = "DIR",
      description =
          "Freshet's state directory: services, cluster, runs, logs and the local history catalog"
              + " (default: FRESHET_STATE_DIR, else <checkout>/.freshet, else ~/.freshet).")
  Path stateDir;

  /** --state-dir, else {@link LocalDefaults#stateDir()}. */
  Path stateDir() {
    return stateDir != null ? stateDir : LocalDefaults.stateDir();
  }
}
