package dev.larder.memcached.protocol;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import javax.cache.CacheException;

/**
 * One memcached server: a few pipelined connections, opened on demand, and its {@link ServerHealth}.
 * Requests on a connection are answered in order ({@link Pipeline}); a request that gets no answer in
 * time closes its connection, so no later answer can be matched to the wrong request.
 *
 * <p>While the server is marked down, calls for its keys fail at once (no connection attempt, no
 * waiting) and the client's health thread {@linkplain #probe probes} it on a connection of its own.
 *
 * <p><b>Writes in doubt.</b> A write that failed (no answer, connection lost: it may still land), was
 * skipped while the server was down, or went to another server while this one was ejected leaves this
 * server holding a value that may be older than what the application last wrote. Its key is noted,
 * and before the server serves again (a probe's answer, or after a lone timeout) the noted keys are
 * deleted: a miss, never an old value. Past {@value #MAX_IN_DOUBT} keys the server is emptied with
 * {@code flush_all} instead (logged): Larder cannot delete what it could not note.
 */
// Netty's write and close futures go unread: a failed write closes the connection (Pipeline.write),
// which fails every request on it, and each request is bounded by its own timeout.
@SuppressWarnings("FutureReturnValueIgnored")
public final class ServerNode implements AutoCloseable {

  /** The most keys in doubt noted per server (about 100 bytes each): beyond, the server is flushed. */
  static final int MAX_IN_DOUBT = 100_000;
  /** Deletes of keys in doubt sent per batch. */
  private static final int REPAIR_BATCH = 200;
  private static final AttributeKey<Boolean> CLOSED_BY_US = AttributeKey.valueOf("larder.closedByUs");

  /** What the client does when a node's health changes or it has work for the health thread. */
  interface Hooks {
    /** Before the node sends: writes for a key whose own server is ejected are failover writes. */
    void beforeSend(ServerNode target, List<MetaRequest> requests);

    /** The node was just marked down, or has keys in doubt to delete while up. */
    void needsAttention(ServerNode node);
  }

  private final InetSocketAddress address;
  private final String name;
  private final Bootstrap bootstrap;
  private final AtomicReferenceArray<Channel> channels;
  private final Object[] connectLocks;
  private final AtomicInteger next = new AtomicInteger();
  private final LongAdder flushes = new LongAdder();
  private final long timeoutMillis;
  private final long connectTimeoutMillis;
  private final ConnectionSecurity security;
  private final Hooks hooks;
  private final ServerHealth health;
  private final Set<String> inDoubt = ConcurrentHashMap.newKeySet();
  /** Which run of the server new connections talk to: raised when one is lost or it comes back. */
  private final AtomicInteger run = new AtomicInteger();
  /** More keys were in doubt than could be noted: flush the server before it serves again. */
  private volatile boolean flushNeeded;
  private volatile boolean closed;

  ServerNode(InetSocketAddress address, EventLoopGroup group, int connections, long timeoutMillis,
      long connectTimeoutMillis, int failureLimit, ConnectionSecurity security, Hooks hooks,
      java.util.function.LongSupplier healthNanos) {
    this.address = address;
    this.name = address.getHostString() + ":" + address.getPort();
    this.timeoutMillis = timeoutMillis;
    this.connectTimeoutMillis = connectTimeoutMillis;
    this.security = security;
    this.hooks = hooks;
    this.health = new ServerHealth(name, failureLimit, () -> inDoubt.size() + (flushNeeded ? 1 : 0), healthNanos);
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
            channel.pipeline().addLast(new MetaCodec.Decoder(name + "@" + run.get()), new MetaCodec.Encoder(),
                new Pipeline(name, run, ServerNode.this::noteInDoubt));
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

  ServerHealth health() {
    return health;
  }

  /** Whether calls for its keys are sent to it (not marked down or ejected). */
  public boolean inService() {
    return health.inService();
  }

  /** Sends one request and waits for its response (at most the request timeout). */
  public MetaResponse execute(MetaRequest request) {
    sendAll(List.of(request));
    return await(request);
  }

  /**
   * Writes the requests on one connection with one flush: one round trip for the whole batch. Reads
   * that a classic {@code gets} answers go as one ({@link MetaCodec.MultiGet}).
   */
  public void sendAll(List<MetaRequest> requests) {
    hooks.beforeSend(this, requests);
    Channel channel;
    try {
      channel = channel();
    } catch (ServerUnavailableException e) {
      for (MetaRequest request : requests) {
        noteInDoubt(request);
      }
      throw e;
    }
    for (MetaRequest request : requests) {
      request.channel = channel;
    }
    channel.writeAndFlush(requests.size() == 1 ? requests.get(0)
        : MetaCodec.MultiGet.fits(requests) ? new MetaCodec.MultiGet(requests) : new MetaCodec.Batch(requests));
    flushes.increment();
  }

  /** How many batches (one write and flush each, so at most one round trip each) were sent. */
  public long batchesSent() {
    return flushes.sum();
  }

  /** The response to a request sent with {@link #sendAll}. */
  public MetaResponse await(MetaRequest request) {
    try {
      MetaResponse response = request.response.get(timeoutMillis, TimeUnit.MILLISECONDS);
      health.answered();
      return response;
    } catch (TimeoutException e) {
      // Its answer may still come, and would be read as the next request's: drop the connection, and
      // take it out of use first, so that no request is sent on it while it closes.
      retire(request.channel);
      noteInDoubt(request);
      String failure = "no answer within " + timeoutMillis + " ms";
      failed(failure, true);
      throw new ServerUnavailableException("memcached " + name + " did not answer within " + timeoutMillis + " ms: "
          + request, e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof ServerUnavailableException unavailable) {
        noteInDoubt(request);
        if (unavailable.counts()) {
          failed(unavailable.getMessage(), false);
        }
        throw unavailable;
      }
      health.answered(); // an error the server answered: it is alive
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
      throw new ServerUnavailableException("The memcached client is closed (" + name + ")", null, false);
    }
    if (!health.inService()) {
      throw new ServerUnavailableException(health.description() + "; not waiting for it", null, false);
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
      if (!health.inService()) {
        throw new ServerUnavailableException(health.description() + "; not waiting for it", null, false);
      }
      try {
        channel = connect();
      } catch (ServerUnavailableException e) {
        failed(e.getMessage(), false);
        throw e;
      }
      channels.set(index, channel);
      return channel;
    }
  }

  /** A new connection, TLS and authentication done. */
  private Channel connect() {
    ChannelFuture connect = bootstrap.connect(address);
    if (!connect.awaitUninterruptibly(connectTimeoutMillis + 100) || !connect.isSuccess()) {
      connect.channel().close();
      Throwable cause = connect.cause();
      throw new ServerUnavailableException("memcached " + name + " is unreachable: "
          + (cause == null ? "connect timed out after " + connectTimeoutMillis + " ms" : cause.toString()), cause);
    }
    try {
      security.establish(connect.channel(), name, connectTimeoutMillis);
    } catch (CacheException e) {
      connect.channel().close();
      throw e;
    }
    return connect.channel();
  }

  private void failed(String failure, boolean timeout) {
    if (health.failed(failure, timeout)) {
      closeChannels(); // what is still in flight fails now instead of at its timeout
      hooks.needsAttention(this);
    }
  }

  /** Notes the key of a write that may not have happened as the application was told. */
  void noteInDoubt(MetaRequest request) {
    if (!request.writes || request.key == null) {
      return;
    }
    if (inDoubt.size() >= MAX_IN_DOUBT) {
      flushNeeded = true;
    } else {
      inDoubt.add(request.key);
    }
    if (health.inService()) {
      hooks.needsAttention(this);
    }
  }

  boolean hasWritesInDoubt() {
    return flushNeeded || !inDoubt.isEmpty();
  }

  /**
   * One probe of a server marked down, on a connection of its own: {@code mn} answered within the
   * timeout, then the writes in doubt deleted, and it is in service again. Blocking; run by the
   * client's health thread.
   *
   * @return whether it is back
   */
  boolean probe() {
    // The server may have restarted while it was down, unseen (its connections were already closed by
    // us): what this connection reads is of a new run, whose CAS tokens may repeat the old run's.
    run.incrementAndGet();
    Channel channel = null;
    try {
      channel = connect();
      roundTrip(channel, List.of(MetaRequest.noop()));
      repair(channel);
      channels.set(0, channel);
      channel = null;
      health.recovered("answered a probe");
      return true;
    } catch (CacheException e) {
      health.probeFailed(e.getMessage());
      return false;
    } finally {
      if (channel != null) {
        closeByUs(channel);
      }
    }
  }

  /** Deletes the keys in doubt of a server in service (after a lone timeout); blocking. */
  void repairInService() {
    if (!health.inService() || !hasWritesInDoubt()) {
      return;
    }
    try {
      repair(channel());
    } catch (CacheException e) {
      // Not reached now: the keys stay noted, and the next failure or probe deals with them.
    }
  }

  private void repair(Channel channel) {
    if (flushNeeded) {
      org.slf4j.LoggerFactory.getLogger(ServerNode.class).warn("memcached " + name + ": more than " + MAX_IN_DOUBT
          + " writes were in doubt while it failed; emptying it with flush_all before it serves again");
      roundTrip(channel, List.of(MetaRequest.flushAll()));
      flushNeeded = false;
      inDoubt.clear();
      return;
    }
    while (!inDoubt.isEmpty()) {
      List<String> keys = new ArrayList<>(REPAIR_BATCH);
      Iterator<String> iterator = inDoubt.iterator();
      while (iterator.hasNext() && keys.size() < REPAIR_BATCH) {
        keys.add(iterator.next());
      }
      List<MetaRequest> deletes = new ArrayList<>(keys.size());
      for (String key : keys) {
        deletes.add(MetaRequest.delete(key, MetaFlags.NONE));
      }
      roundTrip(channel, deletes);
      keys.forEach(inDoubt::remove);
    }
  }

  /** Sends and waits for every answer on one connection, without touching the health counters. */
  private void roundTrip(Channel channel, List<MetaRequest> requests) {
    channel.writeAndFlush(requests.size() == 1 ? requests.get(0) : new MetaCodec.Batch(requests));
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    for (MetaRequest request : requests) {
      try {
        MetaResponse response = request.response.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (response.status().isError()) {
          throw new CacheException("memcached " + name + " answered " + response + " to " + request);
        }
      } catch (TimeoutException e) {
        throw new ServerUnavailableException("memcached " + name + " did not answer a probe within " + timeoutMillis
            + " ms", e);
      } catch (ExecutionException e) {
        throw e.getCause() instanceof CacheException ce ? ce
            : new ServerUnavailableException("memcached " + name + ": " + e.getCause(), e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CacheException("Interrupted while probing memcached " + name, e);
      }
    }
  }

  private void retire(Channel channel) {
    if (channel == null) {
      return;
    }
    for (int i = 0; i < channels.length(); i++) {
      channels.compareAndSet(i, channel, null);
    }
    closeByUs(channel);
  }

  private static void closeByUs(Channel channel) {
    if (channel != null) {
      channel.attr(CLOSED_BY_US).set(Boolean.TRUE);
      channel.close();
    }
  }

  private void closeChannels() {
    for (int i = 0; i < channels.length(); i++) {
      closeByUs(channels.getAndSet(i, null));
    }
  }

  @Override
  public void close() {
    closed = true;
    closeChannels();
  }

  /** Matches each response to the oldest unanswered request of its connection. */
  private static final class Pipeline extends io.netty.channel.ChannelDuplexHandler {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ServerNode.class);

    private final String name;
    private final AtomicInteger run;
    /** Writes still unanswered when the connection goes: they may or may not have happened. */
    private final java.util.function.Consumer<MetaRequest> inDoubt;
    /** Requests sent and not yet answered: {@link MetaRequest}s, and {@link MetaCodec.MultiGet}s answered in part. */
    private final java.util.ArrayDeque<Object> pending = new java.util.ArrayDeque<>();

    Pipeline(String name, AtomicInteger run, java.util.function.Consumer<MetaRequest> inDoubt) {
      this.name = name;
      this.run = run;
      this.inDoubt = inDoubt;
    }

    @Override
    public void write(io.netty.channel.ChannelHandlerContext ctx, Object message, io.netty.channel.ChannelPromise promise) {
      if (message instanceof MetaRequest || message instanceof MetaCodec.Batch || message instanceof MetaCodec.MultiGet) {
        if (message instanceof MetaCodec.Batch batch) {
          pending.addAll(batch.requests());
        } else {
          pending.add(message);
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
    public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object message) {
      MetaResponse response = (MetaResponse) message;
      Object next = pending.peek();
      if (next instanceof MetaCodec.MultiGet reads) {
        readInto(ctx, reads, response);
        return;
      }
      MetaRequest request = (MetaRequest) pending.poll();
      if (request == null) {
        LOG.warn("memcached " + name + " sent an unexpected " + response + "; reconnecting");
        ctx.close();
        return;
      }
      if (response.key() != null || response.is(MetaStatus.END)) {
        request.response.completeExceptionally(new CacheException("memcached " + name + " answered '" + response
            + "' to " + request + ", which no gets was sent for; reconnecting"));
        ctx.close();
      } else if (response.status().isError()) {
        request.response.completeExceptionally(new CacheException("memcached " + name + " answered "
            + response + " to " + request));
      } else if (response.is(MetaStatus.UNKNOWN)) {
        // Not memcached, or out of step with it: no later answer on this connection can be trusted.
        request.response.completeExceptionally(new CacheException("memcached " + name + " answered '" + response
            + "' to " + request + ", which is no memcached answer; reconnecting"));
        ctx.close();
      } else {
        request.answered(response);
      }
    }

    /**
     * One answer to a {@code gets}: a {@code VALUE} answers its key, and the keys asked before it that
     * it skipped are misses (memcached answers in the order asked, and only the keys it holds); {@code END}
     * makes the keys left misses. An error answers every key left, and ends the {@code gets}.
     */
    private void readInto(io.netty.channel.ChannelHandlerContext ctx, MetaCodec.MultiGet reads, MetaResponse response) {
      List<MetaRequest> requests = reads.requests;
      if (response.is(MetaStatus.END)) {
        while (reads.next < requests.size()) {
          requests.get(reads.next++).answered(MetaResponse.miss(response.origin()));
        }
        pending.poll();
      } else if (response.key() != null) {
        int answered = reads.next;
        while (answered < requests.size() && !requests.get(answered).key.equals(response.key())) {
          answered++;
        }
        if (answered == requests.size()) {
          // out of step: the keys it skipped may not be misses, so none is taken for one
          pending.poll();
          failRest(reads, new CacheException("memcached " + name + " answered " + response.key()
              + ", a key its gets did not ask for (or not in that order); reconnecting"));
          ctx.close(); // fails what is still pending on the connection
          return;
        }
        while (reads.next < answered) {
          requests.get(reads.next++).answered(MetaResponse.miss(response.origin()));
        }
        requests.get(reads.next++).answered(response);
      } else {
        pending.poll();
        failRest(reads, new CacheException("memcached " + name + " answered '" + response + "' to gets of "
            + requests.size() + " keys"));
        if (!response.status().isError()) {
          ctx.close(); // not memcached, or out of step with it: no later answer on this connection can be trusted
        }
      }
    }

    /** Fails the keys of a {@code gets} not answered yet (reads: never in doubt). */
    private static void failRest(MetaCodec.MultiGet reads, CacheException failure) {
      while (reads.next < reads.requests.size()) {
        reads.requests.get(reads.next++).response.completeExceptionally(failure);
      }
    }

    @Override
    public void channelInactive(io.netty.channel.ChannelHandlerContext ctx) throws Exception {
      boolean ours = Boolean.TRUE.equals(ctx.channel().attr(CLOSED_BY_US).get());
      if (!ours) {
        run.incrementAndGet(); // the server may have restarted, its CAS counter with it
      }
      failPending(new ServerUnavailableException("connection to memcached " + name + " closed"
          + (ours ? " by Larder (a request on it timed out, or the server is marked down)" : ""), null, !ours));
      super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(io.netty.channel.ChannelHandlerContext ctx, Throwable cause) {
      failPending(new ServerUnavailableException("connection to memcached " + name + " failed: " + cause, cause));
      ctx.close();
    }

    private void failPending(CacheException failure) {
      Object next;
      while ((next = pending.poll()) != null) {
        if (next instanceof MetaCodec.MultiGet reads) {
          failRest(reads, failure);
          continue;
        }
        MetaRequest request = (MetaRequest) next;
        // noted here, not where it is awaited: a batch's caller stops awaiting at its first failure
        inDoubt.accept(request);
        request.response.completeExceptionally(failure);
      }
    }
  }
}
