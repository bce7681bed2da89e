package dev.larder.memcached.protocol;

/**
 * One response: its two-letter code ({@code VA HD EN NF NS EX MN}), its returned flags, and the data
 * block of a {@code VA}.
 */
public final class MetaResponse {

  private final String origin;
  private final MetaStatus status;
  private final String code;
  /** The returned flags as the line had them, separated by spaces ({@code "c12 t30"}), or {@code ""}. */
  private final String flags;
  private final byte[] data;
  /** The item key of a classic {@code VALUE} line, to match it to its key in a {@code gets}; else {@code null}. */
  private final String key;

  MetaResponse(String origin, MetaStatus status, String code, String flags, byte[] data) {
    this(origin, status, code, flags, data, null);
  }

  private MetaResponse(String origin, MetaStatus status, String code, String flags, byte[] data, String key) {
    this.origin = origin;
    this.status = status;
    this.code = code;
    this.flags = flags;
    this.data = data;
    this.key = key;
  }

  /** A classic {@code gets}' {@code VALUE} line as the {@code VA} that {@code mg <key> v c} would have had. */
  static MetaResponse value(String origin, String key, String cas, byte[] data) {
    return new MetaResponse(origin, MetaStatus.VA, "VA", cas == null ? "" : "c" + cas, data, key);
  }

  /** The miss that {@code mg} would have answered for a key a classic {@code gets} did not answer. */
  static MetaResponse miss(String origin) {
    return new MetaResponse(origin, MetaStatus.EN, "EN", "", null, null);
  }

  /** The item key of a classic {@code VALUE} line, or {@code null}. */
  String key() {
    return key;
  }

  /**
   * The server that answered and which of its runs ({@code host:port@n}): a CAS token identifies an
   * item only on one server, and only until it restarts (its counter starts again), so what is
   * remembered by CAS is remembered by origin too.
   */
  public String origin() {
    return origin;
  }

  public String code() {
    return code;
  }

  public MetaStatus status() {
    return status;
  }

  public boolean is(MetaStatus expected) {
    return status == expected;
  }

  /** The data block ({@code VA} only), or {@code null}. */
  public byte[] data() {
    return data;
  }

  /** The token of a returned flag (such as {@code c} for the CAS value), or {@code null}. */
  public String flag(char flag) {
    int length = flags.length();
    for (int start = 0; start < length; ) {
      int end = flags.indexOf(' ', start);
      if (end < 0) {
        end = length;
      }
      if (end > start && flags.charAt(start) == flag) {
        return flags.substring(start + 1, end);
      }
      start = end + 1;
    }
    return null;
  }

  public boolean hasFlag(char flag) {
    return flag(flag) != null;
  }

  /** The CAS token the response returned ({@code c}), or {@code null}. */
  public String cas() {
    return flag('c');
  }

  /** Whether this caller won the right to compute the item ({@code W}, after {@code N} or {@code R}). */
  public boolean won() {
    return hasFlag('W');
  }

  @Override
  public String toString() {
    return code + (flags.isEmpty() ? "" : " " + flags)
        + (data == null ? "" : " <" + data.length + " bytes>");
  }
}
