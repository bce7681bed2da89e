/**
 * JMX: the {@code CacheStatistics} and {@code CacheConfiguration} MXBeans the spec defines (statistics that
 * check their own switch), and {@code MBeans}, how Larder's beans are named and registered.
 */
package dev.larder.management;
