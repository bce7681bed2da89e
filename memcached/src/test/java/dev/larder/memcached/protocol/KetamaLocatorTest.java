package dev.larder.memcached.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.spy.memcached.DefaultHashAlgorithm;
import net.spy.memcached.KetamaNodeKeyFormatter;
import net.spy.memcached.KetamaNodeLocator;
import net.spy.memcached.MemcachedNode;
import org.junit.jupiter.api.Test;

/** Keys land where spymemcached (ketama, libmemcached node keys) looks for them. */
class KetamaLocatorTest {

  static final ServerNode.Hooks NO_HOOKS = new ServerNode.Hooks() {
    @Override
    public void beforeSend(ServerNode target, List<MetaRequest> requests) {
    }

    @Override
    public void needsAttention(ServerNode node) {
    }
  };

  @Test
  void placementAgreesWithSpymemcached() {
    List<InetSocketAddress> servers = List.of(
        InetSocketAddress.createUnresolved("cache-a.internal", 11211),
        InetSocketAddress.createUnresolved("cache-b.internal", 11211),
        InetSocketAddress.createUnresolved("cache-c.internal", 11300),
        InetSocketAddress.createUnresolved("10.1.2.3", 11211));
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      List<ServerNode> ours = new ArrayList<>();
      List<MemcachedNode> theirs = new ArrayList<>();
      for (InetSocketAddress server : servers) {
        ours.add(new ServerNode(server, group, 1, 1000, 1000, 3, ConnectionSecurity.NONE, NO_HOOKS, System::nanoTime));
        theirs.add(spyNode(server));
      }
      KetamaLocator locator = new KetamaLocator(ours);
      KetamaNodeLocator spy = new KetamaNodeLocator(theirs, DefaultHashAlgorithm.KETAMA_HASH,
          KetamaNodeKeyFormatter.Format.LIBMEMCACHED, new HashMap<>());

      Map<String, Integer> perServer = new HashMap<>();
      for (int i = 0; i < 20_000; i++) {
        String key = "larder:ns:cache:1:s" + i;
        ServerNode node = locator.locate(key);
        assertThat(node.address()).as(key).isEqualTo(spy.getPrimary(key).getSocketAddress());
        perServer.merge(node.name(), 1, Integer::sum);
      }
      // Consistent hashing spreads keys: no server gets less than half its fair share.
      assertThat(perServer).hasSize(4);
      assertThat(perServer.values()).allSatisfy(count -> assertThat(count).isGreaterThan(20_000 / 4 / 2));
    } finally {
      group.shutdownGracefully().syncUninterruptibly(); // nothing left running after the test
    }
  }

  private static MemcachedNode spyNode(InetSocketAddress address) {
    return (MemcachedNode) Proxy.newProxyInstance(KetamaLocatorTest.class.getClassLoader(),
        new Class<?>[] {MemcachedNode.class}, (proxy, method, args) -> switch (method.getName()) {
          case "getSocketAddress" -> address;
          case "toString" -> "node " + address;
          case "hashCode" -> address.hashCode();
          case "equals" -> proxy == args[0];
          default -> throw new UnsupportedOperationException(method.getName());
        });
  }
}
