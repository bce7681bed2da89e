/**
 * The memcached meta protocol over Netty (and the classic {@code gets}, which reads several keys for
 * less server CPU): requests and responses, one {@code ServerNode} per server
 * (pipelined connections, health, probes), ketama placement, ejection and discovery of the server list.
 */
package dev.larder.memcached.protocol;
