package io.freshet.services;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Properties;

/**
 * An S3-compatible object store: s3proxy ({@code org.gaul.s3proxy.Main}) in front of jclouds'
 * filesystem blob store, so that checkpoints, savepoints and an Iceberg warehouse can live at
 * {@code s3://freshet/...} on one machine as they would on a real object store:
 *
 * <pre>
 *  &lt;state dir&gt;/object-store/data/freshet/     the bucket: one file per object
 *  &lt;state dir&gt;/object-store/credentials.properties   access-key and secret-key (mode 600)
 *  &lt;state dir&gt;/object-store/s3proxy.properties        the server's settings (mode 600)
 * </pre>
 *
 * Requests must be signed (AWS signature v2 or v4) with the access key and the secret, which is
 * drawn at random when the state dir is first used and never printed: clients read it from the
 * credentials file ({@link ObjectStore}). The server listens on 127.0.0.1 only.
 */
final class ObjectStoreServer extends ServerDefinition {
  /** The one bucket the local store has from the start. */
  static final String BUCKET = "freshet";

  static final String ACCESS_KEY = "freshet-local";

  private static final java.util.Set<java.nio.file.attribute.PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rwx------");

  ObjectStoreServer(ServicesConfig config) {
    super(config, Service.OBJECT_STORE);
  }

  @Override
  LinkedHashMap<Integer, String> ports() {
    LinkedHashMap<Integer, String> ports = new LinkedHashMap<>();
    ports.put(config.objectStorePort(), "S3-compatible object store");
    return ports;
  }

  @Override
  int clientPort() {
    return config.objectStorePort();
  }

  Path data() {
    return dir().resolve("data");
  }

  Path credentialsFile() {
    return dir().resolve("credentials.properties");
  }

  private Path logbackFile() {
    return dir().resolve("logback.xml");
  }

  private Path settingsFile() {
    return dir().resolve("s3proxy.properties");
  }

  static String endpoint(String address) {
    return "http://" + address;
  }

  @Override
  void prepare(Path java) throws IOException {
    // jclouds' filesystem store reads POSIX permissions as ACLs: a directory or file others may
    // read is a public-read bucket or object, which s3proxy serves to unsigned requests
    Files.createDirectories(data().resolve(BUCKET));
    Files.setPosixFilePermissions(data(), OWNER_ONLY);
    Files.setPosixFilePermissions(data().resolve(BUCKET), OWNER_ONLY);
    Properties credentials = credentialsOrNew();
    Properties settings = new Properties();
    settings.setProperty("s3proxy.endpoint", endpoint(address()));
    settings.setProperty("s3proxy.authorization", "aws-v2-or-v4");
    settings.setProperty("s3proxy.identity", credentials.getProperty("access-key"));
    settings.setProperty("s3proxy.credential", credentials.getProperty("secret-key"));
    settings.setProperty("jclouds.provider", "filesystem");
    settings.setProperty("jclouds.filesystem.basedir", data().toString());
    LocalSecurity.writePrivate(
        settingsFile(), settings, "s3proxy settings written by freshet services start");
    // s3proxy logs every request at DEBUG without a configuration of its own
    Files.writeString(
        logbackFile(),
        """
        <configuration>
          <appender name="console" class="ch.qos.logback.core.ConsoleAppender">
            <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{36} - %msg%n</pattern></encoder>
          </appender>
          <root level="INFO"><appender-ref ref="console"/></root>
        </configuration>
        """);
  }

  /**
   * The credentials the store was started with, from the credentials file; null when the file is
   * missing or incomplete. Clients read them here; only {@link #prepare} draws new ones.
   */
  Properties credentials() throws IOException {
    if (!Files.isRegularFile(credentialsFile())) {
      return null;
    }
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(credentialsFile())) {
      p.load(in);
    }
    return p.getProperty("access-key") != null && p.getProperty("secret-key") != null ? p : null;
  }

  /** The credentials of this state dir's store, drawn once and kept in the credentials file. */
  private Properties credentialsOrNew() throws IOException {
    Properties existing = credentials();
    if (existing != null) {
      return existing;
    }
    Properties p = new Properties();
    byte[] secret = new byte[24];
    new SecureRandom().nextBytes(secret);
    p.setProperty("access-key", ACCESS_KEY);
    p.setProperty("secret-key", HexFormat.of().formatHex(secret));
    Files.createDirectories(dir());
    LocalSecurity.writePrivate(
        credentialsFile(), p, "credentials of the local object store (freshet services start)");
    return p;
  }

  /** Started under umask 077, so that the objects it writes are private too (see prepare). */
  @Override
  List<String> wrappers() {
    List<String> w = new java.util.ArrayList<>(super.wrappers());
    w.addAll(List.of("/bin/sh", "-c", "umask 077 && exec \"$0\" \"$@\""));
    return w;
  }

  @Override
  List<String> jvmArguments() {
    return List.of(
        "-Xms64m",
        "-Xmx256m",
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        "-Djava.awt.headless=true",
        "-Dlogback.configurationFile=" + logbackFile(),
        "-cp",
        ServerClasspath.of(service).asArgument(),
        "org.gaul.s3proxy.Main",
        "--properties",
        settingsFile().toString());
  }

  /** Ready when an unsigned request for the bucket gets S3's answer to one: 403 AccessDenied. */
  @Override
  boolean probeReady(Duration timeout) {
    return httpAnswers(
        config.objectStorePort(),
        endpoint(address()) + "/" + BUCKET,
        timeout,
        r -> r.statusCode() == 403 && r.body().contains("AccessDenied"));
  }

  @Override
  String readyDetail() {
    return "endpoint " + endpoint(address()) + ", bucket " + BUCKET + ", data " + data();
  }
}
