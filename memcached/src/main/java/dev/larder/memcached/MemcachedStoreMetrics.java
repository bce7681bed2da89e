package dev.larder.memcached;

import dev.larder.management.MBeans;
import dev.larder.memcached.protocol.MemcachedClient;
import dev.larder.store.NearCacheStore;
import java.util.function.LongSupplier;
import javax.management.ObjectName;

/**
 * The MXBean of one memcached store ({@code dev.larder:type=MemcachedStore}): its servers and their
 * states, the failures its policy absorbed, and its near tier's figures. The store itself never reads
 * these; the factory tells it where the policy and the near tier count.
 */
final class MemcachedStoreMetrics implements MemcachedStoreMXBean {

  private final MemcachedClient client;
  private final boolean failuresAsMisses;
  private final ObjectName name;
  /** Reads answered as misses and writes skipped because a server was down or too slow. */
  private volatile LongSupplier failureCount = () -> 0;
  private volatile NearCacheStore<?, ?> near;

  MemcachedStoreMetrics(MemcachedClient client, boolean failuresAsMisses, String managerName, String cacheName) {
    this.client = client;
    this.failuresAsMisses = failuresAsMisses;
    this.name = MBeans.objectName("dev.larder", "MemcachedStore", managerName, cacheName);
  }

  /** Registers the MXBean; called once the store is fully made. */
  void register() {
    MBeans.register(this, name);
  }

  void unregister() {
    MBeans.unregister(name);
  }

  /** Where the failure policy around the store counts (set once by the factory). */
  void reportFailures(LongSupplier count) {
    this.failureCount = count;
  }

  /** The near tier in front of the store (set once by the factory). */
  void reportNear(NearCacheStore<?, ?> tier) {
    this.near = tier;
  }

  @Override
  public long getFailures() {
    return failureCount.getAsLong();
  }

  @Override
  public String getServers() {
    return client.serverNames();
  }

  @Override
  public long getNearHits() {
    return near == null ? 0 : near.nearHits();
  }

  @Override
  public long getNearMisses() {
    return near == null ? 0 : near.remoteReads();
  }

  @Override
  public long getNearSize() {
    return near == null ? 0 : near.nearSize();
  }

  @Override
  public String getServerStates() {
    return client.serverStates();
  }

  @Override
  public int getServersDown() {
    return (int) client.nodes().stream().filter(node -> !node.inService()).count();
  }

  @Override
  public String getOnFailure() {
    return failuresAsMisses ? "miss" : "throw";
  }
}
