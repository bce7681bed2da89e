/**
 * The memcached store: a cache's entries on a list of memcached servers (keys, generations, CAS loops, the
 * stampede protocol), its settings and MXBeans. Chosen with {@code -Dlarder.store=memcached}.
 */
package dev.larder.memcached;
