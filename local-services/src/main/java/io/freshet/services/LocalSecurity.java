package io.freshet.services;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The secured setup of a state dir's Kafka and Cassandra ({@code freshet services start --secure}):
 * Kafka accepts clients only over TLS with SASL/SCRAM-SHA-512, Cassandra only over TLS with a
 * password. Made once per state dir, and from then on every start of that state dir's Kafka and
 * Cassandra is secured. Everything lives in {@code <state dir>/secure/} (mode 700, files 600):
 *
 * <pre>
 * ca.p12                     the local certificate authority (its key never leaves this file)
 * server.p12                 the servers' key and certificate, signed by the CA, for 127.0.0.1
 *                            and localhost (clients verify the host name against it)
 * truststore.p12             the CA's certificate, for clients
 * store-password             the password of the three PKCS12 files
 * kafka-client.properties    Kafka client settings: SASL_SSL, SCRAM-SHA-512, user freshet and its
 *                            password, the trust store (Kafka's own format, as its tools' --command-config)
 * kafka-password             the SCRAM password of user freshet, for the broker's own login and
 *                            the storage format that adds the user
 * ca.crt                     the CA's certificate (public, mode 644), for other clients' trust
 * keytool.log                what keytool printed while making the certificates
 * cassandra-password         the password of Cassandra's role freshet
 * cassandra-client.properties Freshet's Cassandra settings (freshet.cassandra.username,
 *                            password-file, ssl.*), naming the files above; no secret in it
 * </pre>
 *
 * Passwords are drawn at random (24 bytes) and kept only in these files: nothing prints them.
 */
public final class LocalSecurity {
  /** The user (Kafka SCRAM) and role (Cassandra) of Freshet's clients. */
  public static final String USER = "freshet";

  /** The SASL mechanism of Kafka's client listener. */
  public static final String SCRAM_MECHANISM = "SCRAM-SHA-512";

  private static final String SCRAM_MODULE =
      "org.apache.kafka.common.security.scram.ScramLoginModule";

  private final Path dir;

  private LocalSecurity(Path dir) {
    this.dir = dir;
  }

  /** The secured setup of {@code stateDir} (made or not: see {@link #enabled()}). */
  public static LocalSecurity of(Path stateDir) {
    return new LocalSecurity(stateDir.resolve("secure"));
  }

  public Path dir() {
    return dir;
  }

  /** True once the setup is complete: this state dir's servers then run secured. */
  public boolean enabled() {
    return Files.isRegularFile(cassandraClientProperties());
  }

  public Path truststore() {
    return dir.resolve("truststore.p12");
  }

  Path keystore() {
    return dir.resolve("server.p12");
  }

  private Path caStore() {
    return dir.resolve("ca.p12");
  }

  /** The password of the key and trust stores (one line). */
  public Path storePasswordFile() {
    return dir.resolve("store-password");
  }

  /** Kafka client settings (security.protocol, sasl.*, ssl.*), secrets included. */
  public Path kafkaClientProperties() {
    return dir.resolve("kafka-client.properties");
  }

  /** The password of Cassandra's role {@link #USER} (one line). */
  public Path cassandraPasswordFile() {
    return dir.resolve("cassandra-password");
  }

  /**
   * Freshet's {@code freshet.cassandra.*} settings for this Cassandra; names files, holds no
   * secret.
   */
  public Path cassandraClientProperties() {
    return dir.resolve("cassandra-client.properties");
  }

  String storePassword() throws IOException {
    return firstLine(storePasswordFile());
  }

  String cassandraPassword() throws IOException {
    return firstLine(cassandraPasswordFile());
  }

  /** The SCRAM password of {@link #USER}, from {@code kafka-password}. */
  String kafkaPassword() throws IOException {
    return load(dir.resolve("kafka-password")).getProperty("password");
  }

  /** The Kafka client settings of {@link #kafkaClientProperties()}, secrets included. */
  public Properties kafkaClientSettings() throws IOException {
    return load(kafkaClientProperties());
  }

  /** The {@code freshet.cassandra.*} settings of {@link #cassandraClientProperties()}. */
  public Map<String, String> cassandraClientSettings() throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    load(cassandraClientProperties()).forEach((k, v) -> out.put((String) k, (String) v));
    return out;
  }

  /** An SSL context that trusts the local CA only, for this package's readiness probes. */
  SSLContext sslContext() throws IOException {
    try (InputStream in = Files.newInputStream(truststore())) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, storePassword().toCharArray());
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), new SecureRandom());
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IOException("Cannot load the trust store " + truststore() + ": " + e, e);
    }
  }

  /**
   * Makes whatever of the setup is missing: the CA and the server certificate (with the JDK's
   * keytool next to {@code java}), the passwords and the client settings. Idempotent.
   */
  void create(Path java) throws IOException, InterruptedException {
    if (enabled()) {
      return;
    }
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    if (!Files.isRegularFile(storePasswordFile())) {
      writePrivate(storePasswordFile(), randomSecret() + "\n");
    }
    String storePassword = storePassword();
    if (!Files.isRegularFile(truststore())) {
      makeCertificates(java.resolveSibling("keytool"), storePassword);
    }
    if (!Files.isRegularFile(cassandraPasswordFile())) {
      writePrivate(cassandraPasswordFile(), randomSecret() + "\n");
    }
    Properties kafkaPassword = new Properties();
    kafkaPassword.setProperty("password", randomSecret());
    writePrivate(dir.resolve("kafka-password"), kafkaPassword, "SCRAM password of user " + USER);
    Properties kafka = new Properties();
    kafka.setProperty("security.protocol", "SASL_SSL");
    kafka.setProperty("sasl.mechanism", SCRAM_MECHANISM);
    kafka.setProperty("sasl.jaas.config", jaas(USER, kafkaPassword.getProperty("password")));
    kafka.setProperty("ssl.truststore.type", "PKCS12");
    kafka.setProperty("ssl.truststore.location", truststore().toString());
    kafka.setProperty("ssl.truststore.password", storePassword);
    writePrivate(
        kafkaClientProperties(), kafka, "Kafka client settings of Freshet's local services");
    Properties cassandra = new Properties();
    cassandra.setProperty("freshet.cassandra.username", USER);
    cassandra.setProperty("freshet.cassandra.password-file", cassandraPasswordFile().toString());
    cassandra.setProperty("freshet.cassandra.ssl.enabled", "true");
    cassandra.setProperty("freshet.cassandra.ssl.truststore.path", truststore().toString());
    cassandra.setProperty(
        "freshet.cassandra.ssl.truststore.password-file", storePasswordFile().toString());
    // written last: its presence says the setup is complete
    writePrivate(
        cassandraClientProperties(), cassandra, "Freshet's Cassandra settings (no secrets)");
  }

  /** The JAAS line of a SCRAM login. */
  static String jaas(String user, String password) {
    return SCRAM_MODULE + " required username=\"" + user + "\" password=\"" + password + "\";";
  }

  private void makeCertificates(Path keytool, String password)
      throws IOException, InterruptedException {
    Path csr = dir.resolve("server.csr");
    Path serverCert = dir.resolve("server.crt");
    Path caCert = dir.resolve("ca.crt");
    List<String> store =
        List.of("-storetype", "PKCS12", "-storepass:file", storePasswordFile().toString());
    keytool(
        keytool,
        store,
        "-genkeypair",
        "-alias",
        "ca",
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-validity",
        "3650",
        "-dname",
        "CN=Freshet local CA",
        "-ext",
        "bc:c",
        "-keystore",
        caStore().toString());
    keytool(
        keytool,
        store,
        "-genkeypair",
        "-alias",
        "server",
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-validity",
        "3650",
        "-dname",
        "CN=127.0.0.1",
        "-keystore",
        keystore().toString());
    keytool(
        keytool,
        store,
        "-certreq",
        "-alias",
        "server",
        "-keystore",
        keystore().toString(),
        "-file",
        csr.toString());
    keytool(
        keytool,
        store,
        "-gencert",
        "-alias",
        "ca",
        "-keystore",
        caStore().toString(),
        "-infile",
        csr.toString(),
        "-outfile",
        serverCert.toString(),
        "-rfc",
        "-validity",
        "3650",
        "-ext",
        "san=ip:127.0.0.1,dns:localhost",
        "-ext",
        "ku:c=digitalSignature,keyEncipherment",
        "-ext",
        "eku=serverAuth,clientAuth");
    keytool(
        keytool,
        store,
        "-exportcert",
        "-alias",
        "ca",
        "-keystore",
        caStore().toString(),
        "-rfc",
        "-file",
        caCert.toString());
    keytool(
        keytool,
        store,
        "-importcert",
        "-noprompt",
        "-alias",
        "ca",
        "-keystore",
        keystore().toString(),
        "-file",
        caCert.toString());
    keytool(
        keytool,
        store,
        "-importcert",
        "-alias",
        "server",
        "-keystore",
        keystore().toString(),
        "-file",
        serverCert.toString());
    Path trust = dir.resolve("truststore.p12.tmp");
    Files.deleteIfExists(trust);
    keytool(
        keytool,
        store,
        "-importcert",
        "-noprompt",
        "-alias",
        "freshet-local-ca",
        "-keystore",
        trust.toString(),
        "-file",
        caCert.toString());
    for (Path p : List.of(caStore(), keystore(), trust)) {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
    }
    Files.deleteIfExists(csr);
    Files.deleteIfExists(serverCert);
    Files.move(trust, truststore());
  }

  private void keytool(Path keytool, List<String> store, String... args)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(keytool.toString());
    cmd.addAll(List.of(args));
    cmd.addAll(store);
    Path log = dir.resolve("keytool.log");
    if (!Files.exists(log)) {
      createPrivate(log);
    }
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new LocalServicesException("keytool " + args[0] + " did not finish within 60 s");
    }
    if (p.exitValue() != 0) {
      throw new LocalServicesException(
          "keytool "
              + args[0]
              + " failed (exit code "
              + p.exitValue()
              + ") making the local certificates in "
              + dir
              + "; last lines of "
              + log
              + ":\n"
              + LogTail.lastLines(log, 20));
    }
  }

  private static String randomSecret() {
    byte[] secret = new byte[24];
    new SecureRandom().nextBytes(secret);
    return HexFormat.of().formatHex(secret);
  }

  private static String firstLine(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    if (lines.isEmpty() || lines.get(0).isBlank()) {
      throw new IOException(file + " is empty");
    }
    return lines.get(0).strip();
  }

  private static Properties load(Path file) throws IOException {
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      p.load(in);
    }
    return p;
  }

  /** Writes {@code text} to a new file readable by its owner only (mode 600). */
  static void writePrivate(Path file, String text) throws IOException {
    createPrivate(file);
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }

  /** Writes {@code p} to a new file readable by its owner only (mode 600). */
  static void writePrivate(Path file, Properties p, String comment) throws IOException {
    createPrivate(file);
    try (OutputStream out = Files.newOutputStream(file)) {
      p.store(out, comment);
    }
  }

  private static void createPrivate(Path file) throws IOException {
    Files.deleteIfExists(file);
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
  }
}
