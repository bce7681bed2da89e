/**
 * How a cache and a manager are configured: {@code LarderConfiguration} (the standard
 * {@code MutableConfiguration} plus bounds, store, copier, refresh-ahead and compute-wait) and
 * {@code ConfigurationFile}, the file a manager's URI names, checked key by key.
 */
package dev.larder.configuration;
