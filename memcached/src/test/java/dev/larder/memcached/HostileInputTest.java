package dev.larder.memcached;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.larder.configuration.LarderConfiguration;
import dev.larder.spi.LarderCachingProvider;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Keys and values a user should not send but will, and servers that misbehave: each gets a clear error
 * or works, never a hang or a corrupted cache, and the cache stays usable afterwards.
 */
class HostileInputTest {

  private final List<CacheManager> managers = new ArrayList<>();

  @AfterEach
  void close() {
    managers.forEach(CacheManager::close);
  }

  @ParameterizedTest(name = "{0} store")
  @ValueSource(strings = {"in-process", "memcached"})
  void keysOfEveryAwkwardSizeAndShapeRoundTrip(String store) {
    Cache<String, String> cache = cache(store, "keys");
    List<String> keys = List.of(
        "",                                  // 0 bytes
        "k".repeat(250),                     // memcached's key limit exactly
        "k".repeat(251),                     // one over: hashed, the full key kept in the item
        "a key with spaces",
        "control\r\n\u0000\u0007chars",
        "lone surrogate \uD800 is no UTF-8",   // no valid UTF-8 encoding exists for this String
        "\u00e9t\u00e9 \u65e5\u672c \uD83D\uDE00");
    for (String key : keys) {
      cache.put(key, "value of " + key.length());
    }
    for (String key : keys) {
      assertThat(cache.get(key)).as("key of %d chars", key.length()).isEqualTo("value of " + key.length());
    }
    // 251 chars must not collide with 250 chars, nor the surrogate with its replacement character
    assertThat(cache.get("k".repeat(252))).isNull();
    assertThat(cache.get("lone surrogate \uFFFD is no UTF-8")).isNull();
  }

  @Test
  void aOneMegabyteKeyWorksInProcessAndIsAClearErrorOnMemcached() {
    String huge = "k".repeat(1 << 20);
    Cache<String, String> local = cache("in-process", "huge-keys");
    local.put(huge, "v");
    assertThat(local.get(huge)).isEqualTo("v");

    Cache<String, String> remote = cache("memcached", "huge-keys");
    // the item carries the full key for checking, so a 1 MB key cannot fit a 1 MB item
    assertThatThrownBy(() -> remote.put(huge, "v")).isInstanceOf(CacheException.class)
        .hasMessageContaining("item size limit of 1048576 bytes");
    assertThat(remote.get(huge)).isNull();
    remote.put("ordinary", "still fine");
    assertThat(remote.get("ordinary")).isEqualTo("still fine");
  }

  @Test
  void valuesJustUnderTheItemLimitFitAndJustOverAreRefusedWritingNothing() {
    Cache<String, byte[]> cache = bytesCache();
    // an item holds the key, memcached's header and Larder's envelope besides the value
    byte[] fits = new byte[(1 << 20) - 4096];
    cache.put("fits", fits);
    assertThat(cache.get("fits")).hasSize(fits.length);

    byte[] over = new byte[(1 << 20) + 1];
    cache.put("over", new byte[] {1});
    assertThatThrownBy(() -> cache.put("over", over)).isInstanceOf(CacheException.class)
        .hasMessageContaining("over").hasMessageContaining("item size limit of 1048576 bytes");
    assertThat(cache.get("over")).as("the old value stays").containsExactly(1);
  }

  @ParameterizedTest(name = "{0} store")
  @ValueSource(strings = {"in-process", "memcached"})
  void aValueThatCannotBeSerializedIsRefusedNamingItsClass(String store) {
    LarderConfiguration<String, Object> configuration = new LarderConfiguration<>();
    configuration.setStoreByValue(true);
    if (store.equals("memcached")) {
      configuration.setStoreFactory(MemcachedStoreFactory.of(settings()));
    }
    Cache<String, Object> cache = manager(store + "-unserializable").createCache("values", configuration);
    Object notSerializable = new Thread("not serializable");
    assertThatThrownBy(() -> cache.put("k", notSerializable)).isInstanceOf(RuntimeException.class)
        .hasMessageContaining("java.lang.Thread");
    assertThat(cache.containsKey("k")).isFalse();
    cache.put("k", "a String is fine");
    assertThat(cache.get("k")).isEqualTo("a String is fine");
  }

  @Test
  void aServerThatAnswersErrorsGarbageOrHangsUpMidReplyCostsAClearErrorNeverAHang() throws Exception {
    try (BrokenServer server = new BrokenServer()) {
      LarderConfiguration<String, String> configuration = new LarderConfiguration<String, String>()
          .setStoreFactory(MemcachedStoreFactory.of(MemcachedSettings.servers("127.0.0.1:" + server.port())
              .withPrefix("hostile").withTimeoutMillis(500)));
      configuration.setTypes(String.class, String.class);
      Cache<String, String> cache = manager("broken").createCache("broken", configuration);
      assertThat(cache.get("k")).isNull(); // behaving: a miss
      cache.put("b", "held");
      assertThat(cache.getAll(Set.of("a", "b", "c"))).isEqualTo(Map.of("b", "held")); // one gets of three keys

      for (Mode mode : List.of(Mode.SERVER_ERROR, Mode.GARBAGE, Mode.HANG_UP_MID_REPLY, Mode.SILENT)) {
        server.mode.set(mode);
        long started = System.nanoTime();
        assertThatThrownBy(() -> cache.get("k")).as(mode.name()).isInstanceOf(CacheException.class)
            .hasMessageContaining("127.0.0.1:" + server.port());
        assertThatThrownBy(() -> cache.put("k", "v")).as(mode.name()).isInstanceOf(CacheException.class)
            .hasMessageContaining("127.0.0.1:" + server.port());
        assertThatThrownBy(() -> cache.getAll(Set.of("a", "b", "c"))).as(mode.name())
            .isInstanceOf(CacheException.class).hasMessageContaining("127.0.0.1:" + server.port());
        long tookMillis = (System.nanoTime() - started) / 1_000_000;
        assertThat(tookMillis).as(mode + ": three calls of 500 ms timeout each, never a hang").isLessThan(6_000);
      }
      behaves(cache, server);

      // a gets answered with a key it did not ask for: out of step, so no key of it is taken for a miss
      server.mode.set(Mode.VALUE_NOT_ASKED_FOR);
      assertThatThrownBy(() -> cache.getAll(Set.of("a", "b", "c"))).isInstanceOf(CacheException.class)
          .hasMessageContaining("127.0.0.1:" + server.port()).hasMessageContaining("did not ask for");
      behaves(cache, server);
    }
  }

  /** Once the server behaves again, the cache works again by itself: it reconnects after its back-off. */
  private static void behaves(Cache<String, String> cache, BrokenServer server) throws InterruptedException {
    server.mode.set(Mode.BEHAVE);
    long deadline = System.currentTimeMillis() + 10_000;
    while (true) {
      try {
        assertThat(cache.get("k")).isNull();
        assertThat(cache.getAll(Set.of("a", "b", "c"))).isEqualTo(Map.of("b", "held"));
        return;
      } catch (CacheException e) {
        if (System.currentTimeMillis() > deadline) {
          throw e;
        }
        Thread.sleep(100); // the client's reconnection back-off runs on real time
      }
    }
  }

  private Cache<String, String> cache(String store, String name) {
    LarderConfiguration<String, String> configuration = new LarderConfiguration<>();
    configuration.setTypes(String.class, String.class);
    if (store.equals("memcached")) {
      configuration.setStoreFactory(MemcachedStoreFactory.of(settings()));
    }
    return manager(store + "-" + name).createCache(name, configuration);
  }

  private Cache<String, byte[]> bytesCache() {
    LarderConfiguration<String, byte[]> configuration = new LarderConfiguration<String, byte[]>()
        .setStoreFactory(MemcachedStoreFactory.of(settings()));
    configuration.setTypes(String.class, byte[].class);
    return manager("bytes").createCache("bytes", configuration);
  }

  private static MemcachedSettings settings() {
    return MemcachedSettings.servers(MemcachedServers.shared()).withPrefix("h" + Long.toString(System.nanoTime(), 36));
  }

  private CacheManager manager(String name) {
    CacheManager manager = new LarderCachingProvider().getCacheManager(URI.create("hostile:" + name),
        getClass().getClassLoader());
    managers.add(manager);
    return manager;
  }

  enum Mode { BEHAVE, SERVER_ERROR, GARBAGE, HANG_UP_MID_REPLY, SILENT, VALUE_NOT_ASKED_FOR }

  /**
   * A scripted stand-in for a memcached server gone wrong, on loopback: it behaves (misses, stores) until
   * told to answer SERVER_ERROR, a line no memcached sends, half a value and then hang up, nothing, or
   * (to a {@code gets} only) the value of a key it was not asked for.
   */
  static final class BrokenServer implements AutoCloseable {
    final AtomicReference<Mode> mode = new AtomicReference<>(Mode.BEHAVE);
    private final java.util.Map<String, byte[]> items = new java.util.concurrent.ConcurrentHashMap<>();
    private final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final List<Socket> connections = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Thread acceptor;

    BrokenServer() throws IOException {
      acceptor = new Thread(this::accept, "broken-memcached");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    int port() {
      return socket.getLocalPort();
    }

    private void accept() {
      while (!socket.isClosed()) {
        try {
          Socket connection = socket.accept();
          connections.add(connection);
          Thread serving = new Thread(() -> serve(connection), "broken-memcached-connection");
          serving.setDaemon(true);
          serving.start();
        } catch (IOException e) {
          return;
        }
      }
    }

    private void serve(Socket connection) {
      try (connection) {
        InputStream in = new BufferedInputStream(connection.getInputStream());
        OutputStream out = connection.getOutputStream();
        String line;
        while ((line = readLine(in)) != null) {
          String[] tokens = line.split(" ");
          byte[] block = null;
          if (tokens[0].equals("ms") || tokens[0].equals("set")) {
            block = in.readNBytes(Integer.parseInt(tokens[tokens[0].equals("ms") ? 2 : 4]) + 2); // data + CRLF
          }
          switch (mode.get()) {
            case BEHAVE -> out.write(behave(tokens, block));
            case SERVER_ERROR -> out.write("SERVER_ERROR out of memory storing object\r\n"
                .getBytes(StandardCharsets.US_ASCII));
            case GARBAGE -> out.write("HELLO I AM NOT MEMCACHED\r\n".getBytes(StandardCharsets.US_ASCII));
            case HANG_UP_MID_REPLY -> {
              out.write("VA 100 c7\r\nonly part of the".getBytes(StandardCharsets.US_ASCII));
              out.flush();
              return;
            }
            case SILENT -> {
              // says nothing; the client's timeout must end the wait
            }
            case VALUE_NOT_ASKED_FOR -> out.write(tokens[0].equals("gets")
                ? "VALUE not-asked-for 0 1 1\r\nx\r\nEND\r\n".getBytes(StandardCharsets.US_ASCII)
                : behave(tokens, block));
          }
          out.flush();
        }
      } catch (IOException e) {
        // the client hung up
      }
    }

    /** A tiny memcached: enough meta commands to hold the generation counter, store and read. */
    private byte[] behave(String[] tokens, byte[] block) {
      String answer = switch (tokens[0]) {
        case "mg" -> {
          byte[] value = items.get(tokens[1]);
          if (value == null) {
            yield "EN\r\n";
          }
          String flags = String.join(" ", java.util.Arrays.copyOfRange(tokens, 2, tokens.length));
          yield "VA " + (value.length - 2) + (flags.contains("c") ? " c1" : "") + (flags.contains("t") ? " t-1" : "")
              + "\r\n" + new String(value, StandardCharsets.ISO_8859_1);
        }
        case "gets" -> { // the classic VALUE <key> <flags> <bytes> <cas> of each key held, in the order asked
          StringBuilder values = new StringBuilder();
          for (String key : java.util.Arrays.copyOfRange(tokens, 1, tokens.length)) {
            byte[] value = items.get(key);
            if (value != null) {
              values.append("VALUE ").append(key).append(" 0 ").append(value.length - 2).append(" 1\r\n")
                  .append(new String(value, StandardCharsets.ISO_8859_1));
            }
          }
          yield values.append("END\r\n").toString();
        }
        case "ms" -> {
          items.put(tokens[1], block);
          yield "HD\r\n";
        }
        case "md" -> {
          items.remove(tokens[1]);
          yield "HD\r\n";
        }
        case "mn" -> "MN\r\n";
        case "stats" -> "STAT item_size_max 1048576\r\nEND\r\n";
        default -> "ERROR\r\n";
      };
      return answer.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String readLine(InputStream in) throws IOException {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      int b;
      while ((b = in.read()) != -1) {
        if (b == '\n') {
          byte[] bytes = line.toByteArray();
          int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
          return new String(bytes, 0, length, StandardCharsets.US_ASCII);
        }
        line.write(b);
      }
      return null;
    }

    @Override
    public void close() throws IOException {
      socket.close();
      for (Socket connection : connections) {
        connection.close();
      }
    }
  }
}
