package dev.larder.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The miniature W-TinyLFU the window climber compares: its bound, its index, its window and its admission. */
class ShadowCacheTest {

  private final FrequencySketch sketch = new FrequencySketch();

  ShadowCacheTest() {
    sketch.ensureCapacity(1_000);
  }

  /** A request as the policy makes one: counted by the sketch, then run on the shadow. */
  private boolean request(ShadowCache shadow, int hash) {
    sketch.increment(hash);
    return shadow.access(hash);
  }

  private static int countHeld(ShadowCache shadow, int keys) {
    int held = 0;
    for (int key = 0; key < keys; key++) {
      if (shadow.contains(FrequencySketch.hash(key))) {
        held++;
      }
    }
    return held;
  }

  @Test
  void aKeyHitsOnceRequestedAndStaysFindableThroughChurnWithinTheBound() {
    // 50 entries in an index of 128 slots, 2,000 keys: long probe runs that wrap around, and a removal
    // every request once full; a removal that broke a run would leave held keys unfindable
    ShadowCache shadow = new ShadowCache(50, 5, new EvictionPolicy.Admission(sketch));
    Random random = new Random(7);
    Set<Integer> requested = new HashSet<>();
    for (int i = 0; i < 100_000; i++) {
      int key = random.nextInt(2_000);
      int hash = FrequencySketch.hash(key);
      boolean held = shadow.contains(hash);
      assertThat(request(shadow, hash)).as("request %d of key %d", i, key).isEqualTo(held);
      assertThat(!held || requested.contains(key)).as("a hit of a key never requested").isTrue();
      requested.add(key);
      assertThat(shadow.contains(hash)).as("a newcomer enters the window").isTrue();
      assertThat(shadow.size()).isLessThanOrEqualTo(50);
      if (i % 1_000 == 999) {
        assertThat(countHeld(shadow, 2_000)).as("every key held is found").isEqualTo(shadow.size());
      }
    }
    assertThat(shadow.size()).isEqualTo(50);
  }

  @Test
  void frequentKeysOutliveAScanAndARecentOneIsHeldInTheWindow() {
    ShadowCache shadow = new ShadowCache(100, 1, new EvictionPolicy.Admission(sketch));
    for (int round = 0; round < 10; round++) {
      for (int key = 0; key < 80; key++) {
        request(shadow, FrequencySketch.hash(key));
      }
    }
    for (int key = 1_000; key < 6_000; key++) { // a scan: each key once
      request(shadow, FrequencySketch.hash(key));
    }
    assertThat(countHeld(shadow, 80)).as("the hot keys, admitted by frequency").isEqualTo(80);
    assertThat(shadow.contains(FrequencySketch.hash(5_999))).as("the last scanned, in the window").isTrue();
    assertThat(shadow.contains(FrequencySketch.hash(5_000))).as("an older scanned key, refused").isFalse();
  }

  @Test
  void aResizedWindowTakesTheMainSpacesLeastRecentEntriesAndLosesNone() {
    ShadowCache shadow = new ShadowCache(10, 1, new EvictionPolicy.Admission(sketch));
    for (int key = 0; key < 10; key++) {
      request(shadow, FrequencySketch.hash(key));
    }
    assertThat(shadow.size()).isEqualTo(10);
    shadow.resize(8);
    assertThat(shadow.windowMaximum()).isEqualTo(8);
    assertThat(shadow.size()).isEqualTo(10);
    assertThat(countHeld(shadow, 10)).isEqualTo(10);
    for (int key = 100; key < 107; key++) { // 7 newcomers: with the window of 8, plain LRU over the window
      request(shadow, FrequencySketch.hash(key));
    }
    assertThat(countHeld(shadow, 10)).as("7 and 8 in the main space, and 6, the oldest left in the window").isEqualTo(3);
    shadow.resize(0);
    assertThat(shadow.windowMaximum()).as("at least 1").isEqualTo(1);
    shadow.resize(50);
    assertThat(shadow.windowMaximum()).as("at most capacity - 1").isEqualTo(9);
    assertThat(shadow.size()).isEqualTo(10);
    assertThatThrownBy(() -> new ShadowCache(1, 1, new EvictionPolicy.Admission(sketch)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
