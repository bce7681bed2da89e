package dev.larder.memcached.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A server's health as a state machine, on a fake monotonic clock: how many failures mark it down,
 * what an answer resets, how long it has been down and up. {@link ServerHealthTest} drives the same
 * rules through a real connection to a scripted server.
 */
class ServerHealthStateTest {

  private final AtomicLong nanos = new AtomicLong(1_000);
  private final AtomicInteger inDoubt = new AtomicInteger();
  private final ServerHealth health = new ServerHealth("127.0.0.1:1", 3, inDoubt::get, nanos::get);

  @Test
  void theLimitOfFailuresInARowMarksItDownOnceAndAnAnswerBetweenResetsTheRun() {
    assertThat(health.failed("one", true)).isFalse();
    assertThat(health.failed("two", false)).isFalse();
    health.answered();
    assertThat(health.getConsecutiveFailures()).isZero();
    assertThat(health.failed("one", false)).isFalse();
    assertThat(health.failed("two", false)).isFalse();
    assertThat(health.inService()).isTrue();
    assertThat(health.failed("three", true)).as("the third in a row").isTrue();
    assertThat(health.inService()).isFalse();
    assertThat(health.getState()).isEqualTo("down");
    assertThat(health.failed("four", false)).as("marked down once").isFalse();
    assertThat(health.getTimesMarkedDown()).isEqualTo(1);
    assertThat(health.getFailures()).isEqualTo(6);
    assertThat(health.getTimeouts()).isEqualTo(2);
    assertThat(health.getLastFailure()).isEqualTo("four");
    assertThat(health.description()).contains("127.0.0.1:1").contains("down").contains("four");
    assertThat(health.getLastStateChange()).isNotEmpty();
  }

  @Test
  void downAndUpSpansAreMeasuredOnItsClock() {
    assertThat(health.downForNanos()).as("up").isZero();
    assertThat(health.upForNanos()).as("never down: up for ever").isGreaterThan(Long.MAX_VALUE / 4);
    for (int i = 0; i < 3; i++) {
      health.failed("timeout", true);
    }
    nanos.addAndGet(250);
    assertThat(health.downForNanos()).isEqualTo(250);
    health.probeFailed("still nothing");
    assertThat(health.inService()).isFalse();
    assertThat(health.getLastFailure()).isEqualTo("still nothing");
    health.recovered("answered a probe");
    assertThat(health.inService()).isTrue();
    assertThat(health.getConsecutiveFailures()).isZero();
    assertThat(health.getReconnections()).isEqualTo(1);
    assertThat(health.downForNanos()).isZero();
    nanos.addAndGet(40);
    assertThat(health.upForNanos()).isEqualTo(40);
    health.recovered("again");
    assertThat(health.getReconnections()).as("only a server not up recovers").isEqualTo(1);
  }

  @Test
  void onlyAServerMarkedDownIsEjectedAndAnEjectedOneComesBackOnlyByRecovering() {
    health.eject("too early");
    assertThat(health.state()).isEqualTo(ServerHealth.State.UP);
    for (int i = 0; i < 3; i++) {
      health.failed("refused", false);
    }
    health.eject("down too long");
    assertThat(health.state()).isEqualTo(ServerHealth.State.EJECTED);
    assertThat(health.getState()).isEqualTo("ejected");
    health.failed("more", false);
    assertThat(health.state()).isEqualTo(ServerHealth.State.EJECTED);
    health.recovered("answered a probe");
    assertThat(health.state()).isEqualTo(ServerHealth.State.UP);
    inDoubt.set(2);
    assertThat(health.getWritesInDoubt()).isEqualTo(2);
    assertThat(health.getServer()).isEqualTo("127.0.0.1:1");
  }
}
