/**
 * Store-by-value: the {@code Copier} every by-value cache copies keys and values through (Kryo by default,
 * Java serialization as a fallback), and {@code Immutables}, the types that are never copied.
 */
package dev.larder.copy;
