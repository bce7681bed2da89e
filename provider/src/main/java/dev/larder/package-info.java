/**
 * Larder's JCache implementation. {@code LarderCacheManager} keeps caches by name, the manager's executor
 * and the default store (chosen by {@code larder.store}); {@code CacheFactory} assembles each cache; the
 * cache ({@code StoreCache}) routes each JCache call: reads to {@code Reads}, mutations to their
 * {@code Operation} (each rule written once, in {@code Operations}, {@code Invoke} and {@code Found}),
 * run by {@code OperationRunner} in the store's atomic update, with events published after the commit
 * and statistics counted from the committed outcome; loads to {@code Loads}. {@code LarderCache} adds
 * the per-entry-timeout {@code put} and the single-flight {@code get(key, compute, timeout)}.
 */
package dev.larder;
