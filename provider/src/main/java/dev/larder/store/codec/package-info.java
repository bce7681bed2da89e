/**
 * What the remote stores (memcached, App Engine) share to turn entries into bytes and back, safely: the
 * {@link dev.larder.store.codec.Envelope} around each value, the {@link dev.larder.store.codec.Serializer},
 * the {@link dev.larder.store.codec.DeserializationAllowList} and its limits against planted bytes, item
 * keys ({@link dev.larder.store.codec.RemoteKeys}), the same instance back while an item is unchanged
 * ({@link dev.larder.store.codec.RecentValues}), and how their settings are read.
 */
package dev.larder.store.codec;
