/**
 * Loader and writer integration: the spec's wrapping of their failures into {@code CacheLoaderException}
 * and {@code CacheWriterException}.
 */
package dev.larder.integration;
