package io.freshet.services;

import java.nio.file.Path;

/** Isolated service configs for tests that must not meet the shared instances. */
final class FreePorts {
  private FreePorts() {}

  /** A config on its own state dir under target/ and its own free ports. */
  static ServicesConfig isolatedConfig(String name) {
    return ServicesConfig.onFreePorts(
        Path.of("target", name + "-" + Long.toHexString(System.nanoTime())).toAbsolutePath());
  }
}
