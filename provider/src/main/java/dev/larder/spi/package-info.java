/**
 * The {@code CachingProvider} that {@code Caching.getCachingProvider()} finds: one manager per URI and
 * class loader, open until closed.
 */
package dev.larder.spi;
