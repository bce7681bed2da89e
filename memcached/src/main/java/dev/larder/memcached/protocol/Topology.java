package dev.larder.memcached.protocol;

import java.util.List;

/**
 * The servers at one moment, immutable: every server's ketama ring, and, while some are ejected, the
 * ring of the others, where the ejected servers' keys go. A key whose own server is merely down stays
 * with it (and fails or misses at once); only ejection moves keys, and only those of the ejected
 * server: ketama moves no other key.
 */
final class Topology {

  final List<ServerNode> nodes;
  private final KetamaLocator all;
  /** The ring without the ejected servers; {@code null} while none is ejected (or every one is). */
  private final KetamaLocator inService;
  private final List<ServerNode> ejected;

  Topology(List<ServerNode> nodes) {
    this.nodes = List.copyOf(nodes);
    this.ejected = ejected(this.nodes);
    this.all = new KetamaLocator(this.nodes);
    List<ServerNode> remaining = this.nodes.stream()
        .filter(node -> node.health().state() != ServerHealth.State.EJECTED).toList();
    this.inService = remaining.size() == this.nodes.size() || remaining.isEmpty() ? null : new KetamaLocator(remaining);
  }

  /** Whether the servers ejected now are the ones this was built for. */
  boolean matchesStates() {
    return ejected.equals(ejected(nodes));
  }

  private static List<ServerNode> ejected(List<ServerNode> nodes) {
    return nodes.stream().filter(node -> node.health().state() == ServerHealth.State.EJECTED).toList();
  }

  /** The server to send the key's requests to. */
  ServerNode locate(String key) {
    if (nodes.size() == 1) {
      return nodes.get(0);
    }
    if (inService == null) {
      return all.locate(key);
    }
    long hash = KetamaLocator.hash(key);
    ServerNode home = all.locate(hash);
    return home.health().state() == ServerHealth.State.EJECTED ? inService.locate(hash) : home;
  }

  /** The key's own server, ejected or not. */
  ServerNode home(String key) {
    return nodes.size() == 1 ? nodes.get(0) : all.locate(key);
  }

  boolean anyEjected() {
    return inService != null;
  }
}
