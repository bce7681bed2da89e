package dev.larder.memcached.protocol;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * One meta command ({@code mg}, {@code ms}, {@code md}, {@code ma}, {@code mn}): its command line, its
 * data block for {@code ms}, and the future its response completes.
 */
public final class MetaRequest {

  /** The command line; rewritten only by {@link #capTtl}, before the request is sent. */
  byte[] line;
  final byte[] data;
  final CompletableFuture<MetaResponse> response = new CompletableFuture<>();
  /** The key, or {@code null} ({@code mn}, authentication). */
  final String key;
  /** Whether it changes what the server holds ({@code ms md ma}): such a request that fails is in doubt. */
  final boolean writes;
  /** Whether a classic {@code gets} answers it as well ({@code mg <key> v c}): such reads go to a server as one. */
  final boolean classicGet;
  /** The connection it went out on, to close if its answer does not come in time. */
  volatile io.netty.channel.Channel channel;
  /** What reads its answer on the event loop ({@link #readBy}), or {@code null}. */
  private Function<MetaResponse, ?> reader;
  /** What the reader made of the answer, or the exception it threw: set before the future completes. */
  private Object read;
  private RuntimeException readFailure;

  private MetaRequest(String line, byte[] data, String key, boolean writes) {
    this(line, data, key, writes, false);
  }

  private MetaRequest(String line, byte[] data, String key, boolean writes, boolean classicGet) {
    this.line = line.getBytes(StandardCharsets.US_ASCII);
    this.data = data;
    this.key = key;
    this.writes = writes;
    this.classicGet = classicGet;
  }

  /** {@code mg <key> <flags>}. */
  public static MetaRequest get(String key, MetaFlags flags) {
    return new MetaRequest("mg " + key + (flags.isEmpty() ? "" : " " + flags), null, key, false,
        flags.classicGetsAnswers());
  }

  /** {@code ms <key> <datalen> <flags>} followed by the data block. */
  public static MetaRequest set(String key, byte[] data, MetaFlags flags) {
    return new MetaRequest("ms " + key + " " + data.length + (flags.isEmpty() ? "" : " " + flags), data, key, true);
  }

  /** {@code md <key> <flags>}. */
  public static MetaRequest delete(String key, MetaFlags flags) {
    return new MetaRequest("md " + key + (flags.isEmpty() ? "" : " " + flags), null, key, true);
  }

  /** {@code ma <key> <flags>}. */
  public static MetaRequest arithmetic(String key, MetaFlags flags) {
    return new MetaRequest("ma " + key + (flags.isEmpty() ? "" : " " + flags), null, key, true);
  }

  /**
   * memcached's ASCII authentication: a {@code set} whose data is {@code "user password"}, answered
   * {@code STORED} when the server accepts it. Never logged with its data.
   */
  static MetaRequest authenticate(String user, String password) {
    byte[] credentials = (user + " " + password).getBytes(StandardCharsets.UTF_8);
    return new MetaRequest("set larder-auth 0 0 " + credentials.length, credentials, null, false);
  }

  /** {@code mn}: answers {@code MN} once everything before it on the connection is answered. */
  public static MetaRequest noop() {
    return new MetaRequest("mn", null, null, false);
  }

  /** {@code flush_all}: empties the server (see {@link ServerNode}: writes in doubt past the bound). */
  static MetaRequest flushAll() {
    return new MetaRequest("flush_all", null, null, true);
  }

  /**
   * Caps an entry's TTL at {@code seconds} (a write to a failover server, whose copy must be gone before
   * the key's own server may be ejected again); a TTL of 0 (never) or above the cap becomes the cap.
   * Only before the request is sent.
   */
  void capTtl(long seconds) {
    if (data == null) {
      return; // not an ms: md and ma carry no TTL of their own here
    }
    String text = new String(line, StandardCharsets.US_ASCII);
    String[] tokens = text.split(" ");
    boolean found = false;
    for (int i = 3; i < tokens.length; i++) {
      if (tokens[i].startsWith("T")) {
        long ttl = Long.parseLong(tokens[i].substring(1));
        // over 30 days memcached reads an absolute Unix time: always longer than any cap
        if (ttl == 0 || ttl > seconds) {
          tokens[i] = "T" + seconds;
        }
        found = true;
      }
    }
    line = (String.join(" ", tokens) + (found ? "" : " T" + seconds)).getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * Has {@code reader} read the answer on the event loop, as it arrives, before the future completes:
   * the answers of a batch are then read while the server is still sending the rest, not one after the
   * other once the caller has them all (measured: reading was a third of a getAll's time on its
   * caller's thread). Only for what is quick and thread-safe; before the request is sent.
   *
   * @return this request
   */
  public MetaRequest readBy(Function<MetaResponse, ?> reader) {
    this.reader = reader;
    return this;
  }

  /**
   * What the {@linkplain #readBy reader} made of the answer, once the {@linkplain #response() future}
   * has completed normally.
   *
   * @throws RuntimeException what the reader threw
   */
  public Object read() {
    if (readFailure != null) {
      throw readFailure;
    }
    return read;
  }

  /** The answer came (on the event loop): read it if asked to, then complete the future. */
  void answered(MetaResponse answer) {
    if (reader != null) {
      try {
        read = reader.apply(answer);
      } catch (RuntimeException e) {
        readFailure = e;
      }
    }
    response.complete(answer);
  }

  public CompletableFuture<MetaResponse> response() {
    return response;
  }

  @Override
  public String toString() {
    return new String(line, StandardCharsets.US_ASCII) + (data == null ? "" : " <" + data.length + " bytes>");
  }
}
