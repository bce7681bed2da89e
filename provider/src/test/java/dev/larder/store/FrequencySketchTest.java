package dev.larder.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The admission policy's frequency estimates, and the read buffer that feeds them. */
class FrequencySketchTest {

  @Test
  void anEstimateNeverFallsShortOfTheCountWithinASample() {
    FrequencySketch sketch = new FrequencySketch();
    sketch.ensureCapacity(1_000);
    Map<Integer, Integer> counts = new HashMap<>();
    Random random = new Random(5);
    for (int i = 0; i < 30_000; i++) { // under the 40,000 increments after which counters halve
      int key = random.nextInt(5_000);
      sketch.increment(FrequencySketch.hash(key));
      counts.merge(key, 1, Integer::sum);
    }
    counts.forEach((key, count) -> assertThat(sketch.frequency(FrequencySketch.hash(key))).as("key " + key).isGreaterThanOrEqualTo(Math.min(count, 15)));
    assertThat(sketch.frequency(FrequencySketch.hash(-1))).as("a key never counted: collisions only, which conservative updates keep low").isLessThanOrEqualTo(2);
  }

  @Test
  void countsSaturateAtFifteenAndHalveOnceASampleIsComplete() {
    FrequencySketch sketch = new FrequencySketch();
    sketch.ensureCapacity(16); // a sample of 640 increments
    for (int i = 0; i < 20; i++) {
      sketch.increment(FrequencySketch.hash("hot"));
    }
    assertThat(sketch.frequency(FrequencySketch.hash("hot"))).isEqualTo(15);
    for (int i = 0; i < 640; i++) {
      sketch.increment(FrequencySketch.hash("cold-" + i));
    }
    assertThat(sketch.frequency(FrequencySketch.hash("hot"))).as("halved once").isBetween(7, 8);
  }

  @Test
  void aLargerSketchStartsEmpty() {
    FrequencySketch sketch = new FrequencySketch();
    sketch.ensureCapacity(16);
    sketch.increment(FrequencySketch.hash("k"));
    sketch.ensureCapacity(8);
    assertThat(sketch.frequency(FrequencySketch.hash("k"))).as("not smaller: kept").isEqualTo(1);
    sketch.ensureCapacity(1_000);
    assertThat(sketch.capacity()).isEqualTo(1_000);
    assertThat(sketch.frequency(FrequencySketch.hash("k"))).isZero();
  }

  @Test
  void theReadBufferHandsOverWhatEachThreadRecordedInOrderAndSaysWhenFull() {
    ReadBuffer buffer = new ReadBuffer();
    for (int i = 0; i < ReadBuffer.SLOTS; i++) {
      assertThat(buffer.offer(i - 3)).as("a hash of 0 and negative ones too").isTrue();
    }
    assertThat(buffer.offer(99)).as("this thread's stripe is full").isFalse();
    java.util.List<Integer> drained = new java.util.ArrayList<>();
    buffer.drain(drained::add);
    assertThat(drained).containsExactlyElementsOf(java.util.stream.IntStream.range(-3, ReadBuffer.SLOTS - 3).boxed().toList());
    assertThat(buffer.offer(100)).isTrue();
    drained.clear();
    buffer.drain(drained::add);
    assertThat(drained).containsExactly(100);
  }
}
