package dev.larder.memcached;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** The memcached settings on their own: each limit at its edge, and what they print. No server needed. */
class MemcachedSettingsTest {

  private static final MemcachedSettings BASE = MemcachedSettings.servers("127.0.0.1:11311");

  @Test
  void everyCountAndIntervalMustBePositiveAndOneIs() {
    assertThatCode(() -> BASE.withFailureDetection(1, 1).withEjection(0, 1).withDiscovery("127.0.0.1:1", 1))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> BASE.withFailureDetection(0, 1)).hasMessageContaining("must be positive");
    assertThatThrownBy(() -> BASE.withFailureDetection(1, 0)).hasMessageContaining("must be positive");
    assertThatThrownBy(() -> BASE.withEjection(0, 0)).hasMessageContaining("must be positive");
    assertThatThrownBy(() -> BASE.withDiscovery("127.0.0.1:1", 0)).hasMessageContaining("must be positive");
  }

  @Test
  void theNearTierIsOffAtZeroAndItsStalenessMustBePositive() {
    assertThat(BASE.withNearCache(0, 1).nearMaximumSize()).isZero();
    assertThat(BASE.withNearCache(1, 1).nearMaxStalenessMillis()).isEqualTo(1);
    assertThatThrownBy(() -> BASE.withNearCache(-1, 1)).hasMessageContaining("near");
    assertThatThrownBy(() -> BASE.withNearCache(1, 0)).hasMessageContaining("positive");
  }

  @Test
  void ejectionIsOffAtMinusOneAndNothingLowerIsAccepted() {
    assertThat(BASE.withEjection(-1, 1).ejectAfterMillis()).isEqualTo(-1);
    assertThatThrownBy(() -> BASE.withEjection(-2, 1)).hasMessageContaining("must be 0 or more");
  }

  @Test
  void portsRunFromOneTo65535AndDefaultTo11211() {
    assertThat(MemcachedSettings.parseServers("127.0.0.1:1, 127.0.0.1:65535,localhost"))
        .extracting(InetSocketAddress::getPort).containsExactly(1, 65535, 11211);
    assertThatThrownBy(() -> MemcachedSettings.parseServers("a:0")).hasMessageContaining("'a:0' is not host:port");
    assertThatThrownBy(() -> MemcachedSettings.parseServers("a:65536")).hasMessageContaining("is not host:port");
    assertThatThrownBy(() -> MemcachedSettings.parseServers("a:x")).hasMessageContaining("is not host:port");
    assertThatThrownBy(() -> MemcachedSettings.parseServers(":11211")).hasMessageContaining("is not host:port");
    assertThatThrownBy(() -> MemcachedSettings.parseServers(" , ")).hasMessageContaining("no server");
  }

  @Test
  void aUserNameHasNoSpaceOrControlCharacterAndAPasswordNoLineBreak() {
    assertThatCode(() -> BASE.withAuthentication("!", "with space")).doesNotThrowAnyException();
    assertThatThrownBy(() -> BASE.withAuthentication("a b", "p")).hasMessageContaining("no spaces");
    assertThatThrownBy(() -> BASE.withAuthentication("a\tb", "p")).hasMessageContaining("no spaces");
    assertThatThrownBy(() -> BASE.withAuthentication("a", "p\n")).hasMessageContaining("no line breaks");
    assertThatThrownBy(() -> BASE.withAuthentication("a", "")).hasMessageContaining("go together");
  }

  @Test
  void theyPrintWhatIsSetButNeverThePassword() {
    String plain = BASE.toString();
    assertThat(plain).startsWith("MemcachedSettings[servers=").contains("11311")
        .doesNotContain("user=").doesNotContain("discovery=").doesNotContain("near=");
    String full = BASE.withAuthentication("alice", "s3cret").withDiscovery("127.0.0.1:7000", 1_000)
        .withNearCache(500, 20).toString();
    assertThat(full).contains("user=alice").contains("discovery=127.0.0.1:7000").contains("near=500 entries/20 ms")
        .doesNotContain("s3cret");
  }
}
