package dev.larder.memcached.protocol;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import javax.cache.CacheException;

/**
 * One memcached server: a few pipelined connections, opened on demand. Requests on a connection are
 * answered in order, so each connection keeps a queue of the requests it sent. A server that cannot
 * be reached is not tried again until a back-off (doubling up to a maximum) has passed: calls for its
 * keys fail fast in between, and the first call after it reconnects.
 */
public final class ServerNode implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ServerNode.class);
  /** Every answer a meta command (or the authentication's set) can get, errors aside. */
  private static final java.util.Set<String> ANSWERS = java.util.Set.of("VA", "HD", "EN", "NF", "NS", "EX", "MN",
      "STORED");

  private final InetSocketAddress address;
  private final String name;
  private final Bootstrap bootstrap;
  private final AtomicReferenceArray<Channel> channels;
  private final Object[] connectLocks;
  private final AtomicInteger next = new AtomicInteger();
  private final java.util.concurrent.atomic.LongAdder flushes = new java.util.concurrent.atomic.LongAdder();
  private final long timeoutMillis;
  private final long connectTimeoutMillis;
  private final long initialBackoffMillis;
  private final long maxBackoffMillis;
  private volatile long backoffMillis;
  private volatile long downUntil;
  private volatile String lastFailure;
  private volatile boolean closed;
  private final ConnectionSecurity security;

  ServerNode(InetSocketAddress address, EventLoopGroup group, int connections, long timeoutMillis,
      long connectTimeoutMillis, long initialBackoffMillis, long maxBackoffMillis, ConnectionSecurity security) {
    this.address = address;
    this.name = address.getHostString() + ":" + address.getPort();
    this.timeoutMillis = timeoutMillis;
    this.connectTimeoutMillis = connectTimeoutMillis;
    this.security = security;
    this.initialBackoffMillis = initialBackoffMillis;
    this.maxBackoffMillis = maxBackoffMillis;
    this.backoffMillis = initialBackoffMillis;
    this.channels = new AtomicReferenceArray<>(connections);
    this.connectLocks = new Object[connections];
    for (int i = 0; i < connections; i++) {
      connectLocks[i] = new Object();
    }
    this.bootstrap = new Bootstrap()
        .group(group)
        .channel(NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.SO_KEEPALIVE, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeoutMillis)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel channel) {
            channel.pipeline().addLast(new MetaCodec.Decoder(), new MetaCodec.Encoder(), new Pipeline());
            security.install(channel, address);
          }
        });
  }

  public InetSocketAddress address() {
    return address;
  }

  /** {@code host:port}, as error messages name the server. */
  public String name() {
    return name;
  }

  /** Sends one request and waits for its response (at most the request timeout). */
  public MetaResponse execute(MetaRequest request) {
    sendAll(List.of(request));
    return await(request);
  }

  /** Writes the requests on one connection with one flush: one round trip for the whole batch. */
  public void sendAll(List<MetaRequest> requests) {
    Channel channel = channel();
    channel.writeAndFlush(requests.size() == 1 ? requests.get(0) : new MetaCodec.Batch(requests));
    flushes.increment();
  }

  /** How many batches (one write and flush each, so at most one round trip each) were sent. */
  public long batchesSent() {
    return flushes.sum();
  }

  /** The response to a request sent with {@link #sendAll}. */
  public MetaResponse await(MetaRequest request) {
    try {
      return request.response.get(timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      // An unanswered request leaves the connection's answers in doubt: start afresh.
      closeChannels();
      throw new ServerUnavailableException("memcached " + name + " did not answer within " + timeoutMillis + " ms: "
          + request, e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof CacheException ce) {
        throw ce;
      }
      throw new CacheException("memcached " + name + ": " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CacheException("Interrupted while waiting for memcached " + name, e);
    }
  }

  private Channel channel() {
    if (closed) {
      throw new CacheException("The memcached client is closed (" + name + ")");
    }
    int index = Math.floorMod(next.getAndIncrement(), channels.length());
    Channel channel = channels.get(index);
    if (channel != null && channel.isActive()) {
      return channel;
    }
    synchronized (connectLocks[index]) {
      channel = channels.get(index);
      if (channel != null && channel.isActive()) {
        return channel;
      }
      long now = System.currentTimeMillis();
      if (now < downUntil) {
        throw new ServerUnavailableException("memcached " + name + " is unreachable (" + lastFailure
            + "); next attempt in " + (downUntil - now) + " ms", null);
      }
      ChannelFuture connect = bootstrap.connect(address);
      if (!connect.awaitUninterruptibly(connectTimeoutMillis + 100) || !connect.isSuccess()) {
        connect.channel().close();
        Throwable cause = connect.cause();
        markDown(cause == null ? "connect timed out after " + connectTimeoutMillis + " ms" : cause.toString());
        throw new ServerUnavailableException("memcached " + name + " is unreachable: " + lastFailure, cause);
      }
      try {
        security.establish(connect.channel(), name, connectTimeoutMillis);
      } catch (ServerUnavailableException e) {
        connect.channel().close();
        markDown(e.getMessage());
        throw e;
      } catch (CacheException e) {
        connect.channel().close();
        throw e;
      }
      if (lastFailure != null) {
        LOG.info("Reconnected to memcached " + name);
      }
      backoffMillis = initialBackoffMillis;
      lastFailure = null;
      channels.set(index, connect.channel());
      return connect.channel();
    }
  }

  private void markDown(String failure) {
    lastFailure = failure;
    long backoff = backoffMillis;
    downUntil = System.currentTimeMillis() + backoff;
    backoffMillis = Math.min(maxBackoffMillis, backoff * 2);
    LOG.warn("memcached " + name + " is unreachable (" + failure
        + "); retrying in " + backoff + " ms");
  }

  private void closeChannels() {
    for (int i = 0; i < channels.length(); i++) {
      Channel channel = channels.getAndSet(i, null);
      if (channel != null) {
        channel.close();
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    closeChannels();
  }

  /** Matches each response to the oldest unanswered request of its connection. */
  private final class Pipeline extends ChannelDuplexHandler {
    private final ArrayDeque<MetaRequest> pending = new ArrayDeque<>();

    @Override
    public void write(ChannelHandlerContext ctx, Object message, ChannelPromise promise) {
      if (message instanceof MetaRequest || message instanceof MetaCodec.Batch) {
        if (message instanceof MetaRequest request) {
          pending.add(request);
        } else {
          pending.addAll(((MetaCodec.Batch) message).requests());
        }
        promise.addListener(written -> {
          if (!written.isSuccess()) {
            // A request that did not go out would misalign every answer after it.
            ctx.close();
          }
        });
      }
      ctx.write(message, promise);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
      MetaResponse response = (MetaResponse) message;
      MetaRequest request = pending.poll();
      if (request == null) {
        LOG.warn("memcached " + name + " sent an unexpected " + response + "; reconnecting");
        ctx.close();
        return;
      }
      if (response.is("ERROR") || response.is("CLIENT_ERROR") || response.is("SERVER_ERROR")) {
        request.response.completeExceptionally(new CacheException("memcached " + name + " answered "
            + response + " to " + request));
      } else if (!ANSWERS.contains(response.code())) {
        // Not memcached, or out of step with it: no later answer on this connection can be trusted.
        request.response.completeExceptionally(new CacheException("memcached " + name + " answered '" + response
            + "' to " + request + ", which is no memcached answer; reconnecting"));
        ctx.close();
      } else {
        request.response.complete(response);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      failPending(new ServerUnavailableException("connection to memcached " + name + " closed", null));
      super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      failPending(new ServerUnavailableException("connection to memcached " + name + " failed: " + cause, cause));
      ctx.close();
    }

    private void failPending(CacheException failure) {
      MetaRequest request;
      while ((request = pending.poll()) != null) {
        request.response.completeExceptionally(failure);
      }
    }
  }
}
