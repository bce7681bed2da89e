package dev.larder.memcached.protocol;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * One meta command ({@code mg}, {@code ms}, {@code md}, {@code ma}, {@code mn}): its command line, its
 * data block for {@code ms}, and the future its response completes.
 */
public final class MetaRequest {

  final byte[] line;
  final byte[] data;
  final CompletableFuture<MetaResponse> response = new CompletableFuture<>();

  private MetaRequest(String line, byte[] data) {
    this.line = line.getBytes(StandardCharsets.US_ASCII);
    this.data = data;
  }

  /** {@code mg <key> <flags>}. */
  public static MetaRequest get(String key, String flags) {
    return new MetaRequest("mg " + key + (flags.isEmpty() ? "" : " " + flags), null);
  }

  /** {@code ms <key> <datalen> <flags>} followed by the data block. */
  public static MetaRequest set(String key, byte[] data, String flags) {
    return new MetaRequest("ms " + key + " " + data.length + (flags.isEmpty() ? "" : " " + flags), data);
  }

  /** {@code md <key> <flags>}. */
  public static MetaRequest delete(String key, String flags) {
    return new MetaRequest("md " + key + (flags.isEmpty() ? "" : " " + flags), null);
  }

  /** {@code ma <key> <flags>}. */
  public static MetaRequest arithmetic(String key, String flags) {
    return new MetaRequest("ma " + key + (flags.isEmpty() ? "" : " " + flags), null);
  }

  /**
   * memcached's ASCII authentication: a {@code set} whose data is {@code "user password"}, answered
   * {@code STORED} when the server accepts it. Never logged with its data.
   */
  static MetaRequest authenticate(String user, String password) {
    byte[] credentials = (user + " " + password).getBytes(StandardCharsets.UTF_8);
    return new MetaRequest("set larder-auth 0 0 " + credentials.length, credentials);
  }

  /** {@code mn}: answers {@code MN} once everything before it on the connection is answered. */
  public static MetaRequest noop() {
    return new MetaRequest("mn", null);
  }

  public CompletableFuture<MetaResponse> response() {
    return response;
  }

  @Override
  public String toString() {
    return new String(line, StandardCharsets.US_ASCII) + (data == null ? "" : " <" + data.length + " bytes>");
  }
}
