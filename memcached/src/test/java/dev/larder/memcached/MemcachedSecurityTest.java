package dev.larder.memcached;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.larder.LarderCache;
import dev.larder.configuration.LarderConfiguration;
import dev.larder.spi.LarderCachingProvider;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS (memcached -Z) and ASCII authentication (memcached -Y) against real servers started that way, with
 * certificates made here by the JDK's keytool.
 */
class MemcachedSecurityTest {

  private static final String PASSWORD = "s3cret-larder";

  @TempDir
  static Path dir;

  /** A certificate for 127.0.0.1, and one that names another host. */
  private static Path serverCert;
  private static Path serverKey;
  private static Path otherHostCert;
  private static Path otherHostKey;

  private final List<CacheManager> managers = new ArrayList<>();

  @BeforeAll
  static void makeCertificates() throws Exception {
    serverCert = dir.resolve("server.pem");
    serverKey = dir.resolve("server-key.pem");
    selfSigned("server", "ip:127.0.0.1", serverCert, serverKey);
    otherHostCert = dir.resolve("other.pem");
    otherHostKey = dir.resolve("other-key.pem");
    selfSigned("other", "dns:cache.elsewhere.example", otherHostCert, otherHostKey);
  }

  @AfterEach
  void closeManagers() {
    managers.forEach(CacheManager::close);
  }

  @Test
  void overTlsWithATrustedCertificateForTheHostEverythingWorks() throws Exception {
    try (MemcachedServers.OwnServer server = tlsServer(11341, serverCert, serverKey)) {
      LarderCache<String, String> cache = cache("tls", MemcachedSettings.servers(server.address())
          .withTls(serverCert.toString()));
      cache.put("k", "over TLS");
      assertThat(cache.get("k")).isEqualTo("over TLS");
      assertThat(cache.getAndReplace("k", "again")).isEqualTo("over TLS");
    }
  }

  @Test
  void tlsRefusesAnUntrustedCertificateAndOneForAnotherHost() throws Exception {
    try (MemcachedServers.OwnServer server = tlsServer(11342, serverCert, serverKey)) {
      // a refusal is a setting to fix: it fails the cache's creation (which reads the server's settings)
      assertThatThrownBy(() -> cache("untrusted", MemcachedSettings.servers(server.address())
          .withTls(otherHostCert.toString()))).isInstanceOf(CacheException.class)
          .hasMessageContaining("memcached 127.0.0.1:11342: TLS handshake failed")
          .hasMessageContaining("certification path");

      assertThatThrownBy(() -> cache("plain", MemcachedSettings.servers(server.address()).withTimeoutMillis(500))
          .put("k", "v")).isInstanceOf(CacheException.class)
          .hasMessageContaining("127.0.0.1:11342");
    }
    try (MemcachedServers.OwnServer server = tlsServer(11343, otherHostCert, otherHostKey)) {
      // trusted, but it names cache.elsewhere.example, not 127.0.0.1: refused
      assertThatThrownBy(() -> cache("wrong-host", MemcachedSettings.servers(server.address())
          .withTls(otherHostCert.toString()))).isInstanceOf(CacheException.class)
          .hasMessageContaining("TLS handshake failed")
          .hasMessageContaining("127.0.0.1");
    }
  }

  @Test
  void asciiAuthenticationLetsTheRightUserInAndNamesTheRefusal() throws Exception {
    Path authFile = dir.resolve("auth");
    Files.writeString(authFile, "larder:" + PASSWORD + "\n");
    try (MemcachedServers.OwnServer server = new MemcachedServers.OwnServer(11344, "-Y", authFile.toString()).start()) {
      LarderCache<String, String> cache = cache("auth", MemcachedSettings.servers(server.address())
          .withAuthentication("larder", PASSWORD));
      cache.put("k", "authenticated");
      assertThat(cache.get("k")).isEqualTo("authenticated");

      assertThatThrownBy(() -> cache("wrong", MemcachedSettings.servers(server.address())
          .withAuthentication("larder", "guess"))).isInstanceOf(CacheException.class)
          .hasMessageContaining("memcached 127.0.0.1:11344 refused the credentials of user larder")
          .hasMessageNotContaining("guess");

      assertThatThrownBy(() -> cache("anonymous", MemcachedSettings.servers(server.address())).get("k"))
          .isInstanceOf(CacheException.class)
          .hasMessageContaining("127.0.0.1:11344");
      // the authenticated cache is not disturbed by the refused ones
      assertThat(cache.get("k")).isEqualTo("authenticated");
    }
  }

  @Test
  void tlsAndAuthenticationTogether() throws Exception {
    Path authFile = dir.resolve("auth-tls");
    Files.writeString(authFile, "larder:" + PASSWORD + "\n");
    try (MemcachedServers.OwnServer server = new MemcachedServers.OwnServer(11345, "-Z", "-o",
        "ssl_chain_cert=" + serverCert + ",ssl_key=" + serverKey, "-Y", authFile.toString()).start()) {
      LarderCache<String, String> cache = cache("both", MemcachedSettings.servers(server.address())
          .withTls(serverCert.toString()).withAuthentication("larder", PASSWORD));
      cache.put("k", "both");
      assertThat(cache.get("k")).isEqualTo("both");
      // the side connections (key listing, server settings) get TLS and authentication too
      cache.put("k2", "two");
      int entries = 0;
      for (javax.cache.Cache.Entry<String, String> ignored : cache) {
        entries++;
      }
      assertThat(entries).isEqualTo(2);
      LarderCache<String, byte[]> bytes = bytesCache(MemcachedSettings.servers(server.address())
          .withTls(serverCert.toString()).withAuthentication("larder", PASSWORD));
      assertThatThrownBy(() -> bytes.put("big", new byte[2 << 20])).isInstanceOf(CacheException.class)
          .hasMessageContaining("item size limit of 1048576 bytes");
      cache.removeAll();
      assertThat(cache.iterator().hasNext()).isFalse();
    }
  }

  @Test
  void badSecuritySettingsAreNamed() {
    assertThatThrownBy(() -> MemcachedSettings.servers("127.0.0.1:1").withTls(dir.resolve("missing.pem").toString()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("larder.memcached.tls.trust: cannot read the PEM file");
    assertThatThrownBy(() -> MemcachedSettings.servers("127.0.0.1:1").withAuthentication("larder", ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("larder.memcached.auth.user and larder.memcached.auth.password go together");
    assertThat(MemcachedSettings.servers("127.0.0.1:1").withAuthentication("larder", PASSWORD).toString())
        .doesNotContain(PASSWORD);
  }

  private MemcachedServers.OwnServer tlsServer(int port, Path cert, Path key) throws Exception {
    return new MemcachedServers.OwnServer(port, "-Z", "-o", "ssl_chain_cert=" + cert + ",ssl_key=" + key).start();
  }

  private LarderCache<String, String> cache(String name, MemcachedSettings settings) {
    CacheManager manager = new LarderCachingProvider().getCacheManager(URI.create("security:" + name),
        getClass().getClassLoader());
    managers.add(manager);
    LarderConfiguration<String, String> configuration = new LarderConfiguration<String, String>()
        .setStoreFactory(MemcachedStoreFactory.of(settings.withPrefix("sec" + Long.toString(System.nanoTime(), 36))));
    @SuppressWarnings("unchecked")
    LarderCache<String, String> cache = manager.createCache(name, configuration).unwrap(LarderCache.class);
    return cache;
  }

  private LarderCache<String, byte[]> bytesCache(MemcachedSettings settings) {
    CacheManager manager = new LarderCachingProvider().getCacheManager(URI.create("security:bytes"),
        getClass().getClassLoader());
    managers.add(manager);
    LarderConfiguration<String, byte[]> configuration = new LarderConfiguration<String, byte[]>()
        .setStoreFactory(MemcachedStoreFactory.of(settings.withPrefix("secb")));
    @SuppressWarnings("unchecked")
    LarderCache<String, byte[]> cache = manager.createCache("bytes", configuration).unwrap(LarderCache.class);
    return cache;
  }

  /** keytool makes a key pair and a self-signed certificate; memcached wants them as PEM files. */
  private static void selfSigned(String alias, String subjectAltName, Path certPem, Path keyPem) throws Exception {
    Path store = dir.resolve(alias + ".p12");
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    Process process = new ProcessBuilder(keytool, "-genkeypair", "-alias", alias, "-keyalg", "RSA", "-keysize", "2048",
        "-validity", "2", "-dname", "CN=" + alias, "-ext", "SAN=" + subjectAltName, "-storetype", "PKCS12",
        "-keystore", store.toString(), "-storepass", "changeit", "-keypass", "changeit")
        .redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.waitFor() != 0) {
      throw new IllegalStateException("keytool failed: " + output);
    }
    KeyStore keyStore = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      keyStore.load(in, "changeit".toCharArray());
    }
    Certificate certificate = keyStore.getCertificate(alias);
    Key key = keyStore.getKey(alias, "changeit".toCharArray());
    Files.writeString(certPem, pem("CERTIFICATE", certificate.getEncoded()));
    Files.writeString(keyPem, pem("PRIVATE KEY", key.getEncoded()));
  }

  private static String pem(String type, byte[] der) throws IOException {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(der) + "\n-----END " + type + "-----\n";
  }
}
