package dev.larder;

import dev.larder.expiry.ExpiryCalculator;
import java.util.function.Function;

/**
 * What the operations consult, assembled once per cache: the expiry policy, the writer (or none), the
 * copies of store-by-value, the declared types, and the loader to read through.
 *
 * @param readThrough the loader under read-through (its failures wrapped in {@code CacheLoaderException}),
 *     or {@code null} without read-through
 */
record Rules<K, V>(ExpiryCalculator expiry, WriteThrough<K, V> writer, Copies copies, Arguments<K, V> types,
    Function<K, V> readThrough) {}
