package dev.larder.memcached.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import javax.cache.CacheException;
import org.junit.jupiter.api.Test;

/**
 * How a {@code lru_crawler metadump} answer is read, and when a hash walk falls back to the LRU walk.
 * The answers are memcached 1.6.18's, copied from a real server (its lines end in a bare newline, its
 * {@code END} in CRLF); the whole listing against real servers is in {@code MemcachedStoreTest}.
 */
class KeyDumpTest {

  private final List<String> keys = new ArrayList<>();

  private boolean read(String walk, String answer) throws IOException {
    return MemcachedClient.readDump(new BufferedReader(new StringReader(answer)), "127.0.0.1:11311", walk, "p:", keys::add);
  }

  @Test
  void keysWithThePrefixAreDecodedAndTheOthersSkipped() throws IOException {
    assertThat(read("hash", """
        key=p%3Aa%20b exp=-1 la=1796615060 cas=14 fetch=no cls=1 size=63
        key=other exp=-1 la=1796615060 cas=12 fetch=no cls=1 size=63
        key=p%3Ac exp=-1 la=1796615060 cas=13 fetch=no cls=1 size=63
        END\r
        """)).isTrue();
    assertThat(keys).containsExactly("p:a b", "p:c");
  }

  @Test
  void aServerThatDoesNotKnowHashWalksIsAskedForTheLruWalk() throws IOException {
    // memcached 1.6.18's answer to a walk it does not know ("lru_crawler metadump bogus")
    assertThat(read("hash", "BADCLASS invalid class id\r\n")).isFalse();
    assertThat(keys).isEmpty();
  }

  @Test
  void aRefusedLruWalkOrABusyCrawlerIsAnErrorNamingTheServer() {
    assertThatThrownBy(() -> read("all", "BADCLASS invalid class id\r\n"))
        .isInstanceOf(CacheException.class).hasMessageContaining("127.0.0.1:11311").hasMessageContaining("BADCLASS");
    assertThatThrownBy(() -> read("hash", "BUSY currently processing crawler request\r\n"))
        .isInstanceOf(CacheException.class).hasMessageContaining("BUSY");
  }

  @Test
  void anAnswerCutShortIsAnErrorNotAShortListing() {
    assertThatThrownBy(() -> read("hash", "key=p%3Aa exp=-1 la=1 cas=1 fetch=no cls=1 size=63\n"))
        .isInstanceOf(CacheException.class).hasMessageContaining("in the middle of a key dump");
  }
}
