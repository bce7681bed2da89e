package dev.larder.memcached.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.larder.memcached.ManualHealthClock;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Health and pipelining against a scripted server (a small stand-in in the test sources, not memcached:
 * it answers each {@code mg <key> v} with the key itself as the value, after a delay the test chooses,
 * so a test can make one answer late and see whether it lands on the wrong request).
 */
class ServerHealthTest {

  private ScriptedServer server;
  private MemcachedClient client;
  /** The health thread's rounds run when the test moves this clock. */
  private final ManualHealthClock clock = new ManualHealthClock();

  @AfterEach
  void tearDown() throws IOException {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private MemcachedClient client(int timeoutMillis) {
    client = new MemcachedClient(List.of(server.address()),
        new ClientOptions(1, timeoutMillis, 1000, 3, 100, -1, 60, clock), ConnectionSecurity.NONE);
    return client;
  }

  private String value(String key) {
    MetaResponse response = client.execute(key, MetaRequest.get(key, MetaFlags.VALUE));
    return new String(response.data(), StandardCharsets.US_ASCII);
  }

  @Test
  void aLateAnswerIsNeverTakenForTheNextRequests() throws Exception {
    server = new ScriptedServer(key -> key.equals("slow") ? 300 : 0);
    client(200);
    assertThat(value("before")).isEqualTo("before");
    assertThatThrownBy(() -> value("slow")).isInstanceOf(ServerUnavailableException.class)
        .hasMessageContaining("did not answer within 200 ms");
    // One connection per server. The abandoned request keeps its place in its connection's queue, so its
    // late answer completes it and nothing else (checked: with the connection kept, "next" still reads
    // "next", behind the late answer); dropping the connection spares "next" the wait behind it.
    assertThat(value("next")).isEqualTo("next");
    server.awaitAnswered("slow"); // the late answer, sent on the dropped connection
    assertThat(value("after")).isEqualTo("after");
    assertThat(client.nodes().get(0).inService()).as("one timeout does not mark a server down").isTrue();
    assertThat(client.nodes().get(0).health().getTimeouts()).isEqualTo(1);
  }

  @Test
  void aSlowServerThatAnswersWithinTheTimeoutIsNeverMarkedDown() throws IOException {
    server = new ScriptedServer(key -> 120);
    client(300);
    for (int i = 0; i < 12; i++) {
      assertThat(value("k" + i)).isEqualTo("k" + i);
    }
    ServerHealth health = client.nodes().get(0).health();
    assertThat(health.getState()).isEqualTo("up");
    assertThat(health.getFailures()).isZero();
  }

  @Test
  void threeTimeoutsInARowMarkItDownThenCallsFailAtOnceUntilAProbeIsAnswered() throws Exception {
    server = new ScriptedServer(key -> 0);
    client(200);
    assertThat(value("a")).isEqualTo("a");
    server.silent = true;
    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(() -> value("x")).isInstanceOf(ServerUnavailableException.class);
    }
    ServerNode node = client.nodes().get(0);
    assertThat(node.health().getState()).isEqualTo("down");
    long began = System.nanoTime();
    assertThatThrownBy(() -> value("y")).isInstanceOf(ServerUnavailableException.class)
        .hasMessageContaining(server.address().getPort() + " is marked down");
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began)).as("ms for a call while down").isLessThan(50);

    server.silent = false;
    clock.advance(99);
    assertThat(node.inService()).as("before the first probe, 100 ms in").isFalse();
    assertThat(server.probes()).isZero();
    clock.advance(1);
    assertThat(node.inService()).as("after the probe").isTrue();
    assertThat(value("b")).isEqualTo("b");
    assertThat(node.health().getReconnections()).isEqualTo(1);
    assertThat(server.probes()).as("mn probes answered").isPositive();
  }

  /** Answers meta gets with their key after a delay, and mn; or nothing at all while silent. */
  static final class ScriptedServer implements AutoCloseable {
    private final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final ToLongFunction<String> delayMillis;
    private final ConcurrentLinkedQueue<Socket> connections = new ConcurrentLinkedQueue<>();
    private final Thread acceptor;
    volatile boolean silent;
    private final java.util.concurrent.atomic.AtomicInteger probes = new java.util.concurrent.atomic.AtomicInteger();
    /** The keys of the meta gets answered, in the order their answers went out. */
    private final java.util.concurrent.BlockingQueue<String> answered = new java.util.concurrent.LinkedBlockingQueue<>();

    ScriptedServer(ToLongFunction<String> delayMillis) throws IOException {
      this.delayMillis = delayMillis;
      acceptor = new Thread(this::accept, "scripted-memcached");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    InetSocketAddress address() {
      return new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort());
    }

    int probes() {
      return probes.get();
    }

    /** Waits (at most 3 s) until the answer to {@code mg key} has been written, or refused. */
    void awaitAnswered(String key) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
      String sent;
      do {
        sent = answered.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        assertThat(sent).as("the answer to mg " + key + " within 3 s").isNotNull();
      } while (!sent.equals(key));
    }

    private void accept() {
      while (!socket.isClosed()) {
        try {
          Socket connection = socket.accept();
          connections.add(connection);
          Thread serving = new Thread(() -> serve(connection), "scripted-memcached-connection");
          serving.setDaemon(true);
          serving.start();
        } catch (IOException closed) {
          return;
        }
      }
    }

    private void serve(Socket connection) {
      try (connection) {
        BufferedReader in = new BufferedReader(new InputStreamReader(connection.getInputStream(),
            StandardCharsets.US_ASCII));
        OutputStream out = connection.getOutputStream();
        String line;
        while ((line = in.readLine()) != null) {
          if (silent) {
            continue;
          }
          String[] tokens = line.split(" ", -1);
          if (tokens[0].equals("mn")) {
            probes.incrementAndGet();
            out.write("MN\r\n".getBytes(StandardCharsets.US_ASCII));
          } else if (tokens[0].equals("mg")) {
            Thread.sleep(delayMillis.applyAsLong(tokens[1])); // the scripted server's slow answer
            try {
              out.write(("VA " + tokens[1].length() + "\r\n" + tokens[1] + "\r\n").getBytes(StandardCharsets.US_ASCII));
              out.flush();
            } finally {
              answered.add(tokens[1]); // sent, or refused by a connection the client dropped
            }
          } else {
            out.write("ERROR\r\n".getBytes(StandardCharsets.US_ASCII));
          }
          out.flush();
        }
      } catch (IOException | InterruptedException gone) {
        // the client dropped the connection
      }
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
