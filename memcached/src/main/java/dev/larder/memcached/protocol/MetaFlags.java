package dev.larder.memcached.protocol;

/**
 * The flags of a meta command (protocol.txt, "Meta Commands"), built by name instead of written as
 * strings: {@code MetaFlags.VALUE_AND_CAS.compareCas(token)} is {@code "v c C<token>"}. Immutable.
 */
public final class MetaFlags {

  /** No flag. */
  public static final MetaFlags NONE = new MetaFlags("");
  /** {@code v}: return the value. */
  public static final MetaFlags VALUE = NONE.with("v");
  /** {@code v c}: return the value and its CAS token, the read before a conditional write. */
  public static final MetaFlags VALUE_AND_CAS = VALUE.with("c");

  private final String text;

  private MetaFlags(String text) {
    this.text = text;
  }

  private MetaFlags with(String flag) {
    return new MetaFlags(text.isEmpty() ? flag : text + " " + flag);
  }

  /** {@code c}: return the item's CAS token (of the write just done, for {@code ms}). */
  public MetaFlags returnCas() {
    return with("c");
  }

  /** {@code t}: return the item's remaining TTL in seconds. */
  public MetaFlags returnTtl() {
    return with("t");
  }

  /** {@code C<token>}: apply only if the item is still the write with this CAS token (else {@code EX}). */
  public MetaFlags compareCas(String token) {
    return with("C" + token);
  }

  /** {@code ME}: {@code ms} in add mode, stored only if the key is absent (else {@code NS}). */
  public MetaFlags onlyIfAbsent() {
    return with("ME");
  }

  /**
   * {@code T<seconds>}: the item's TTL; 0 for none; over 30 days memcached reads an absolute Unix time.
   */
  public MetaFlags ttl(long seconds) {
    return with("T" + seconds);
  }

  /**
   * {@code N<seconds>}: on a miss, create an empty placeholder living this long and hand its win
   * ({@code W}) to this caller alone; the others see {@code Z}.
   */
  public MetaFlags vivifyOnMiss(long seconds) {
    return with("N" + seconds);
  }

  /** {@code R<seconds>}: when the item's TTL is below this, hand one caller the win to recompute it. */
  public MetaFlags winRefreshBelow(long seconds) {
    return with("R" + seconds);
  }

  /** Whether a classic {@code gets} answers all these flags ask for: the value, and the CAS token or not. */
  boolean classicGetsAnswers() {
    return text.equals(VALUE.text) || text.equals(VALUE_AND_CAS.text);
  }

  boolean isEmpty() {
    return text.isEmpty();
  }

  /** The flags as they go on the command line. */
  @Override
  public String toString() {
    return text;
  }
}
