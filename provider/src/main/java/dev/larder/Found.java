package dev.larder;

import dev.larder.expiry.ExpiryCalculator;
import dev.larder.store.StoreEntry;
import javax.cache.event.EventType;

/**
 * What an operation found under its key when the store ran it: the entry (possibly past its deadline,
 * or none) and the time it was judged at. Every {@link Outcome} is made here, so the rules that each
 * operation shares are written once: an entry past its deadline is absent and dropped (an EXPIRED
 * event), a read of a live entry applies the access duration, a write the creation or update duration.
 *
 * @param current the key's entry as the store holds it, possibly expired, or {@code null}
 * @param now the time in epoch milliseconds that deadlines are judged against
 */
record Found<V>(StoreEntry<V> current, long now) {

  /** The entry if it is live (not past its deadline), else {@code null}. */
  StoreEntry<V> live() {
    return current != null && !current.isExpiredAt(now) ? current : null;
  }

  /** The entry if it is past its deadline, else {@code null}. */
  StoreEntry<V> expired() {
    return current != null && current.isExpiredAt(now) ? current : null;
  }

  boolean isLive() {
    return live() != null;
  }

  /** Nothing done: a live entry stays as it is, an expired one goes (reported EXPIRED), none stays none. */
  Outcome<V> keep() {
    StoreEntry<V> expired = expired();
    return new Outcome<>(expired == null ? current : null, isLive(), null, null, null, expired, null);
  }

  /** A read of the live entry: it takes the access duration (the policy may leave it unchanged). */
  Outcome<V> access(ExpiryCalculator expiry) {
    StoreEntry<V> live = live();
    long deadline = expiry.accessDeadline(now);
    StoreEntry<V> stored = deadline == ExpiryCalculator.UNCHANGED ? live : live.withExpiresAt(deadline);
    return new Outcome<>(stored, true, null, null, null, null, null);
  }

  /**
   * A new value: a creation (the creation duration) where the key holds no live entry, an update (the
   * update duration) where it does. A creation that would be expired at once stores nothing and reports
   * nothing; an update to a zero duration is stored already expired, so that the next access reports it
   * EXPIRED.
   *
   * @param stored the value as stored (copied for store-by-value)
   * @param fixedDeadline a deadline given by the caller instead of the policy's, or {@link StoreEntry#NEVER}
   */
  Outcome<V> write(V stored, ExpiryCalculator expiry, long fixedDeadline) {
    StoreEntry<V> live = live();
    boolean fixed = fixedDeadline != StoreEntry.NEVER;
    if (live == null) {
      long deadline = fixed ? fixedDeadline : expiry.creationDeadline(now);
      if (deadline <= now) {
        return new Outcome<>(null, false, null, null, null, expired(), null);
      }
      return new Outcome<>(new StoreEntry<>(stored, deadline), false, EventType.CREATED, stored, null, expired(),
          null);
    }
    long deadline = fixed ? fixedDeadline : expiry.updateDeadline(now);
    long kept = deadline == ExpiryCalculator.UNCHANGED ? live.expiresAt() : deadline;
    return new Outcome<>(new StoreEntry<>(stored, kept), true, EventType.UPDATED, stored, live.value(), null, null);
  }

  /** The live entry removed (REMOVED); with none, as {@link #keep}. */
  Outcome<V> remove() {
    StoreEntry<V> live = live();
    if (live == null) {
      return keep();
    }
    return new Outcome<>(null, true, EventType.REMOVED, null, live.value(), null, null);
  }

  /**
   * What a computation through {@code Store.getOrCompute} did, judged from the entry it replaced:
   * created the entry, updated a live one (a refresh ahead of the deadline), or stored nothing.
   */
  Outcome<V> computed(StoreEntry<V> written) {
    StoreEntry<V> live = live();
    if (written == null) {
      return new Outcome<>(null, live != null, null, null, null, expired(), null);
    }
    return live == null
        ? new Outcome<>(written, false, EventType.CREATED, written.value(), null, expired(), null)
        : new Outcome<>(written, true, EventType.UPDATED, written.value(), live.value(), null, null);
  }
}
