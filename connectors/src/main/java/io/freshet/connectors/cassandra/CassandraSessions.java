package io.freshet.connectors.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.flink.configuration.Configuration;

/**
 * Opens driver sessions from {@link CassandraOptions}: contact points, local data center,
 * credentials (from an environment variable or a file, never from the configuration itself), TLS,
 * consistency and timeouts. Validation is eager: {@link #validate} names the option to fix.
 */
public final class CassandraSessions {
  private CassandraSessions() {}

  /** Checks the options without connecting; throws IllegalArgumentException saying what to fix. */
  public static void validate(Configuration conf) {
    contactPoints(conf);
    consistency(conf);
    if (conf.get(CassandraOptions.MAX_IN_FLIGHT) < 1) {
      throw new IllegalArgumentException(
          CassandraOptions.MAX_IN_FLIGHT.key()
              + " must be at least 1, got "
              + conf.get(CassandraOptions.MAX_IN_FLIGHT));
    }
    if (conf.get(CassandraOptions.RETRY_MAX_ATTEMPTS) < 1) {
      throw new IllegalArgumentException(
          CassandraOptions.RETRY_MAX_ATTEMPTS.key() + " must be at least 1 (1 = no retries)");
    }
    if (conf.get(CassandraOptions.EXPIRED_RETENTION).isNegative()) {
      throw new IllegalArgumentException(
          CassandraOptions.EXPIRED_RETENTION.key() + " must not be negative");
    }
    String ks = conf.get(CassandraOptions.KEYSPACE);
    if (!ks.matches("[A-Za-z][A-Za-z0-9_]{0,47}")) {
      throw new IllegalArgumentException(
          CassandraOptions.KEYSPACE.key()
              + " '"
              + ks
              + "' is not a Cassandra keyspace name: letters, digits and _, at most 48");
    }
  }

  /** A session (not bound to a keyspace) for the configured cluster. */
  public static CqlSession open(Configuration conf) {
    return open(conf, System::getenv);
  }

  static CqlSession open(Configuration conf, Function<String, String> env) {
    validate(conf);
    Duration timeout = conf.get(CassandraOptions.REQUEST_TIMEOUT);
    DriverConfigLoader loader =
        DriverConfigLoader.programmaticBuilder()
            .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, timeout)
            .withString(DefaultDriverOption.REQUEST_CONSISTENCY, consistency(conf).name())
            .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, Duration.ofSeconds(10))
            .withDuration(DefaultDriverOption.CONTROL_CONNECTION_TIMEOUT, Duration.ofSeconds(10))
            .withDuration(
                DefaultDriverOption.CONTROL_CONNECTION_AGREEMENT_TIMEOUT, Duration.ofSeconds(20))
            .withDuration(DefaultDriverOption.RECONNECTION_BASE_DELAY, Duration.ofMillis(200))
            .withDuration(
                DefaultDriverOption.RECONNECTION_MAX_DELAY,
                conf.get(CassandraOptions.RECONNECT_MAX_DELAY))
            // Freshet's writer retries itself (with backoff, then fails loudly); the driver
            // does not retry behind its back.
            .withBoolean(DefaultDriverOption.REQUEST_DEFAULT_IDEMPOTENCE, true)
            .build();
    CqlSessionBuilder b =
        CqlSession.builder()
            .addContactPoints(contactPoints(conf))
            .withLocalDatacenter(conf.get(CassandraOptions.LOCAL_DATACENTER))
            .withConfigLoader(loader);
    credentials(conf, env).ifPresent(c -> b.withAuthCredentials(c.getKey(), c.getValue()));
    SSLContext ssl = sslContext(conf, env);
    if (ssl != null) {
      b.withSslContext(ssl);
    }
    return b.build();
  }

  static List<InetSocketAddress> contactPoints(Configuration conf) {
    List<String> points = conf.get(CassandraOptions.CONTACT_POINTS);
    if (points == null || points.isEmpty()) {
      throw new IllegalArgumentException(
          CassandraOptions.CONTACT_POINTS.key() + " is empty; give host:port[;host:port...]");
    }
    List<InetSocketAddress> out = new ArrayList<>();
    for (String p : points) {
      out.add(parseHostPort(p.trim(), CassandraOptions.CONTACT_POINTS.key()));
    }
    return out;
  }

  /** Parses host:port (port default 9042); an IPv6 address as [addr]:port. */
  public static InetSocketAddress parseHostPort(String s, String what) {
    String host = s;
    String port = null;
    if (s.startsWith("[")) {
      int close = s.indexOf(']');
      if (close < 0) {
        throw new IllegalArgumentException(what + ": '" + s + "' lacks the closing ]");
      }
      host = s.substring(1, close);
      if (s.length() > close + 1) {
        if (s.charAt(close + 1) != ':') {
          throw new IllegalArgumentException(what + ": '" + s + "' is not [address]:port");
        }
        port = s.substring(close + 2);
      }
    } else if (s.indexOf(':') > 0 && s.indexOf(':') == s.lastIndexOf(':')) {
      host = s.substring(0, s.indexOf(':'));
      port = s.substring(s.indexOf(':') + 1);
    }
    if (host.isEmpty()) {
      throw new IllegalArgumentException(what + ": '" + s + "' has no host");
    }
    int p = 9042;
    if (port != null) {
      try {
        p = Integer.parseInt(port);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            what + ": '" + s + "' is not host:port (the port is not a number)");
      }
    }
    return InetSocketAddress.createUnresolved(host, p);
  }

  static DefaultConsistencyLevel consistency(Configuration conf) {
    return consistencyLevel(
        conf.get(CassandraOptions.CONSISTENCY), CassandraOptions.CONSISTENCY.key());
  }

  /**
   * The consistency level named {@code value} (any case); an unknown one fails naming {@code
   * setting} and the levels there are.
   */
  public static DefaultConsistencyLevel consistencyLevel(String value, String setting) {
    String c = value.trim().toUpperCase(Locale.ROOT);
    try {
      return DefaultConsistencyLevel.valueOf(c);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          setting
              + " '"
              + c
              + "' is not a consistency level; use one of "
              + List.of(DefaultConsistencyLevel.values()));
    }
  }

  /**
   * The user name and password of {@code conf}, if it names a user; its password from the file or
   * environment variable the settings name.
   */
  public static java.util.Optional<Map.Entry<String, String>> credentials(Configuration conf) {
    return credentials(conf, System::getenv);
  }

  static java.util.Optional<Map.Entry<String, String>> credentials(
      Configuration conf, Function<String, String> env) {
    String user = conf.get(CassandraOptions.USERNAME);
    if (user == null || user.isEmpty()) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(Map.entry(user, password(conf, env)));
  }

  /** The TLS context of {@code conf}'s ssl.* settings; null when TLS is off. */
  public static SSLContext sslContext(Configuration conf) {
    return sslContext(conf, System::getenv);
  }

  static String password(Configuration conf, Function<String, String> env) {
    String secret =
        secret(
            conf,
            env,
            CassandraOptions.PASSWORD_FILE.key(),
            conf.get(CassandraOptions.PASSWORD_FILE),
            CassandraOptions.PASSWORD_ENV.key(),
            conf.get(CassandraOptions.PASSWORD_ENV));
    if (secret == null) {
      throw new IllegalArgumentException(
          CassandraOptions.USERNAME.key()
              + " is set but there is no password: put it in the environment variable named by "
              + CassandraOptions.PASSWORD_ENV.key()
              + " ("
              + conf.get(CassandraOptions.PASSWORD_ENV)
              + ") or in a file named by "
              + CassandraOptions.PASSWORD_FILE.key());
    }
    return secret;
  }

  private static String secret(
      Configuration conf,
      Function<String, String> env,
      String fileKey,
      String file,
      String envKey,
      String envName) {
    if (file != null && !file.isEmpty()) {
      try {
        List<String> lines = Files.readAllLines(Path.of(file), StandardCharsets.UTF_8);
        if (lines.isEmpty() || lines.get(0).isEmpty()) {
          throw new IllegalArgumentException(fileKey + ": " + file + " is empty");
        }
        return lines.get(0).strip();
      } catch (IOException e) {
        throw new IllegalArgumentException(fileKey + ": cannot read " + file + ": " + e, e);
      }
    }
    if (envName != null && !envName.isEmpty()) {
      String v = env.apply(envName);
      if (v != null && !v.isEmpty()) {
        return v;
      }
    }
    return null;
  }

  static SSLContext sslContext(Configuration conf, Function<String, String> env) {
    String truststore = conf.get(CassandraOptions.SSL_TRUSTSTORE_PATH);
    boolean enabled = conf.get(CassandraOptions.SSL_ENABLED);
    if (!enabled && (truststore == null || truststore.isEmpty())) {
      return null;
    }
    try {
      if (truststore == null || truststore.isEmpty()) {
        return SSLContext.getDefault();
      }
      String pw =
          secret(
              conf,
              env,
              CassandraOptions.SSL_TRUSTSTORE_PASSWORD_FILE.key(),
              conf.get(CassandraOptions.SSL_TRUSTSTORE_PASSWORD_FILE),
              CassandraOptions.SSL_TRUSTSTORE_PASSWORD_ENV.key(),
              conf.get(CassandraOptions.SSL_TRUSTSTORE_PASSWORD_ENV));
      KeyStore ks = KeyStore.getInstance(truststore.endsWith(".jks") ? "JKS" : "PKCS12");
      try (InputStream in = Files.newInputStream(Path.of(truststore))) {
        ks.load(in, pw == null ? null : pw.toCharArray());
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          CassandraOptions.SSL_TRUSTSTORE_PATH.key()
              + ": cannot load truststore "
              + truststore
              + ": "
              + e,
          e);
    }
  }
}
