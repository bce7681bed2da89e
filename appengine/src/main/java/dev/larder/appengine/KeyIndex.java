package dev.larder.appengine;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The list of a cache generation's item keys, kept in the service itself, since App Engine's memcache
 * cannot list its keys and every JVM of the application must see every other's entries (iteration,
 * {@code removeAll()}).
 *
 * <p>A log of slots: a counter ({@code …:keys}) and, for each key created, the next slot number's item
 * ({@code …:key:n}) holding the item key. A key is registered before the write that creates it (an add),
 * so no entry exists without its slot; a key created, removed (its tombstone expired) and created again has
 * two slots, which a listing reads once. Slots have no expiry, but memcache may evict them like any item:
 * a listing that finds a slot missing below the counter, or no counter, knows it may have missed entries,
 * and says so ({@link Listing#complete()}). {@code removeAll()} does not depend on it: it ends by moving
 * the generation, which also starts a new, empty index.
 */
final class KeyIndex {

  /** Slots read per batch call. */
  private static final int BATCH = 500;

  private final ServiceCalls calls;

  KeyIndex(ServiceCalls calls) {
    this.calls = calls;
  }

  /**
   * Takes a slot for {@code itemKey} in the generation whose keys start with {@code base} and writes it:
   * two calls, made only when a key is created (not when it is updated).
   */
  void register(String base, String itemKey) {
    registerAll(base, List.of(itemKey));
  }

  /**
   * {@link #register} for many keys of one generation in two calls: one increment takes as many slots as
   * there are keys, one batch write fills them.
   */
  void registerAll(String base, List<String> itemKeys) {
    if (itemKeys.isEmpty()) {
      return;
    }
    long count = itemKeys.size();
    Long last = calls.call("increment of " + base + "keys", service -> service.increment(base + "keys", count, 0L));
    Map<String, String> slots = new java.util.HashMap<>();
    for (int i = 0; i < itemKeys.size(); i++) {
      slots.put(base + "key:" + (last - count + 1 + i), itemKeys.get(i));
    }
    calls.call("write of " + slots.size() + " key slots of " + base, service -> service.putAll(slots));
  }

  /** Every item key registered in the generation of {@code base}, in registration order, once each. */
  Listing list(String base) {
    Object counter = calls.call("get of " + base + "keys", service -> service.get(base + "keys"));
    long slots = counter instanceof Long count ? count : 0L;
    Set<String> itemKeys = new LinkedHashSet<>();
    boolean complete = counter != null; // no counter: never registered, or evicted with what it counted
    for (long first = 1; first <= slots; first += BATCH) {
      List<String> slotKeys = new ArrayList<>();
      for (long slot = first; slot < first + BATCH && slot <= slots; slot++) {
        slotKeys.add(base + "key:" + slot);
      }
      Map<String, Object> found = calls.call("get of " + slotKeys.size() + " key slots of " + base,
          service -> service.getAll(slotKeys));
      for (String slotKey : slotKeys) {
        Object itemKey = found.get(slotKey);
        if (itemKey instanceof String key) {
          itemKeys.add(key);
        } else {
          complete = false; // evicted, or a registration under way
        }
      }
    }
    return new Listing(List.copyOf(itemKeys), complete);
  }

  /**
   * @param itemKeys the item keys found, each once
   * @param complete whether every slot below the counter was there: if not, an entry may exist that the
   *     listing does not name
   */
  record Listing(List<String> itemKeys, boolean complete) {}
}
