package dev.larder.memcached.protocol;

/**
 * One response: its two-letter code ({@code VA HD EN NF NS EX MN}), its returned flags, and the data
 * block of a {@code VA}.
 */
public final class MetaResponse {

  private final String code;
  private final String[] flags;
  private final byte[] data;

  MetaResponse(String code, String[] flags, byte[] data) {
    this.code = code;
    this.flags = flags;
    this.data = data;
  }

  public String code() {
    return code;
  }

  public boolean is(String expected) {
    return code.equals(expected);
  }

  /** The data block ({@code VA} only), or {@code null}. */
  public byte[] data() {
    return data;
  }

  /** The token of a returned flag (such as {@code c} for the CAS value), or {@code null}. */
  public String flag(char flag) {
    for (String token : flags) {
      if (!token.isEmpty() && token.charAt(0) == flag) {
        return token.substring(1);
      }
    }
    return null;
  }

  public boolean hasFlag(char flag) {
    return flag(flag) != null;
  }

  @Override
  public String toString() {
    return code + (flags.length == 0 ? "" : " " + String.join(" ", flags))
        + (data == null ? "" : " <" + data.length + " bytes>");
  }
}
