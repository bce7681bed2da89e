/**
 * JMH benchmarks side by side with the peers (Caffeine JCache, Ehcache, cache2k, the RI) and the limits
 * (raw Caffeine, {@code ConcurrentHashMap}, spymemcached, the bare App Engine service), each checking that
 * every peer does the work asked; {@code Report} turns their results into the guide's tables and charts.
 */
package dev.larder.benchmarks;
