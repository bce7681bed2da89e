/**
 * The memcached meta protocol over Netty: requests and responses, one {@code ServerNode} per server
 * (pipelined connections, health, probes), ketama placement, ejection and discovery of the server list.
 */
package dev.larder.memcached.protocol;
