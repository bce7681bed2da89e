/**
 * Larder's JCache implementation: {@code LarderCacheManager} (caches by name, the manager's executor and
 * the default store, chosen by {@code larder.store}) and {@code StoreCache}, where every JCache rule is applied once, above the store (expiry
 * policies to deadlines, events recorded in the compute and published after the commit, statistics,
 * loaders and writers, store-by-value copies). {@code LarderCache} adds the per-entry-timeout {@code put}
 * and the single-flight {@code get(key, compute, timeout)}.
 */
package dev.larder;
