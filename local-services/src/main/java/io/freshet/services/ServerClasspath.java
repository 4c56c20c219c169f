package io.freshet.services;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The runtime classpath of a server JVM, as resolved by Maven in the classpath-only modules
 * local-services/kafka-server, local-services/cassandra-server and local-services/flink-cluster and
 * packaged there as the resource {@code freshet/servers/<id>.classpath}. The jars stay in the local
 * Maven repository.
 */
final class ServerClasspath {
  private final String displayName;
  private final List<Path> entries;

  private ServerClasspath(String displayName, List<Path> entries) {
    this.displayName = displayName;
    this.entries = entries;
  }

  static ServerClasspath of(Service service) {
    return of(service.id(), service.displayName());
  }

  /** The classpath in {@code freshet/servers/<id>.classpath}; the name is for messages. */
  static ServerClasspath of(String id, String displayName) {
    String resource = "freshet/servers/" + id + ".classpath";
    String text;
    try (InputStream in = ServerClasspath.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new LocalServicesException(
            "Resource "
                + resource
                + " is not on the classpath: build it with"
                + " `./mvnw -pl local-services -am install -DskipTests`");
      }
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new LocalServicesException("Cannot read resource " + resource, e);
    }
    List<Path> entries = new ArrayList<>();
    for (String entry : text.split(java.io.File.pathSeparator)) {
      if (!entry.isBlank()) {
        Path jar = Path.of(entry.trim());
        if (!Files.isRegularFile(jar)) {
          throw new LocalServicesException(
              displayName
                  + " jar "
                  + jar
                  + " listed in "
                  + resource
                  + " is missing (local Maven repository cleaned?): rebuild with"
                  + " `./mvnw -pl local-services -am install -DskipTests`");
        }
        entries.add(jar);
      }
    }
    return new ServerClasspath(displayName, entries);
  }

  List<Path> entries() {
    return List.copyOf(entries);
  }

  String asArgument() {
    List<String> parts = new ArrayList<>();
    entries.forEach(p -> parts.add(p.toString()));
    return String.join(java.io.File.pathSeparator, parts);
  }

  /** The first jar whose file name starts with the prefix, e.g. "jamm-" for Cassandra's agent. */
  Path jar(String fileNamePrefix) {
    return entries.stream()
        .filter(p -> p.getFileName().toString().startsWith(fileNamePrefix))
        .findFirst()
        .orElseThrow(
            () ->
                new LocalServicesException(
                    "No " + fileNamePrefix + "*.jar on the " + displayName + " classpath"));
  }
}
