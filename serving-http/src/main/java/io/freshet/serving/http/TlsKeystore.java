package io.freshet.serving.http;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Collections;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The server's TLS identity: a keystore (PKCS12 or JKS, told apart by its content) holding the
 * server's private key and certificate chain, whose key is protected by the keystore's password (as
 * {@code keytool -genkeypair} and {@code openssl pkcs12 -export} make them).
 */
final class TlsKeystore {
  private TlsKeystore() {}

  /**
   * Loads the keystore into an SSLContext.
   *
   * @throws IllegalArgumentException if the file is missing, unreadable, of an unknown type, opened
   *     with the wrong password, or without a private key, saying which
   */
  static SSLContext load(Path keystore, char[] password) {
    if (!Files.isReadable(keystore)) {
      throw new IllegalArgumentException(
          "TLS keystore " + keystore + " does not exist or cannot be read");
    }
    KeyStore ks;
    try {
      ks = KeyStore.getInstance(keystore.toFile(), password);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot open TLS keystore "
              + keystore
              + ": "
              + e.getMessage()
              + " (is the keystore password right?)",
          e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "cannot open TLS keystore "
              + keystore
              + " ("
              + e.getMessage()
              + "): give a PKCS12 or JKS keystore, e.g. from keytool -genkeypair or openssl"
              + " pkcs12 -export",
          e);
    }
    try {
      boolean hasKey = false;
      for (String alias : Collections.list(ks.aliases())) {
        hasKey |= ks.isKeyEntry(alias);
      }
      if (!hasKey) {
        throw new IllegalArgumentException(
            "TLS keystore "
                + keystore
                + " holds no private key: it must hold the server's key and certificate chain");
      }
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, password);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), null, null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "cannot use the key in TLS keystore "
              + keystore
              + ": "
              + e.getMessage()
              + " (its key password must be the keystore's)",
          e);
    }
  }
}
