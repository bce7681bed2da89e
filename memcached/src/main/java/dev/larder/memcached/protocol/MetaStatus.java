package dev.larder.memcached.protocol;

/**
 * The status a memcached response line starts with (protocol.txt, "Meta Commands"), as a type: the
 * store tests {@code response.is(MetaStatus.HD)}, never a string.
 */
public enum MetaStatus {
  /** A value follows ({@code mg} with {@code v}, {@code ma} with {@code v}). */
  VA,
  /** Done: stored, deleted, or found without a value to return. */
  HD,
  /** {@code mg}: no such item (a miss). */
  EN,
  /** {@code ms}/{@code md}/{@code ma}: no such item (removed since read, or never there). */
  NF,
  /** {@code ms}: not stored (in add mode {@code ME}: the key exists already). */
  NS,
  /** The CAS token given ({@code C}) is not the item's: another write came between. */
  EX,
  /** {@code mn}: every request before it on the connection is answered. */
  MN,
  /** The end of a classic {@code gets}' answers: its keys not answered before it are misses. */
  END,
  /** The classic {@code set}'s success: only the authentication uses one. */
  STORED,
  /** {@code flush_all}'s success. */
  OK,
  /** The server did not know the command. */
  ERROR,
  /** The server found the request malformed (the message follows). */
  CLIENT_ERROR,
  /** The server could not do it (out of memory, too large; the message follows). */
  SERVER_ERROR,
  /** Anything else: a server speaking another protocol, or a Larder bug. */
  UNKNOWN;

  /** The status a response line's first token names. */
  static MetaStatus parse(String code) {
    return switch (code) {
      case "VA" -> VA;
      case "HD" -> HD;
      case "EN" -> EN;
      case "NF" -> NF;
      case "NS" -> NS;
      case "EX" -> EX;
      case "MN" -> MN;
      case "END" -> END;
      case "STORED" -> STORED;
      case "OK" -> OK;
      case "ERROR" -> ERROR;
      case "CLIENT_ERROR" -> CLIENT_ERROR;
      case "SERVER_ERROR" -> SERVER_ERROR;
      default -> UNKNOWN;
    };
  }

  /** Whether the server refused the request ({@code ERROR}, {@code CLIENT_ERROR}, {@code SERVER_ERROR}). */
  public boolean isError() {
    return this == ERROR || this == CLIENT_ERROR || this == SERVER_ERROR;
  }
}
