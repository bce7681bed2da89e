package dev.larder.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.BitSet;
import org.junit.jupiter.api.Test;

class StoreEntryTest {

  private static StoreEntry<Object> versioned(Object value, long expiresAt, long version) {
    return StoreEntry.read(value, expiresAt, version);
  }

  @Test
  void withoutAVersionTheSameWriteIsTheSameValueAndDeadline() {
    StoreEntry<Object> written = new StoreEntry<>(new String("one"), 100);
    assertThat(written.isSameWriteAs(written)).isTrue();
    assertThat(written.isSameWriteAs(null)).isFalse();
    assertThat(written.isSameWriteAs(new StoreEntry<>(written.value(), 100))).as("the same instance").isTrue();
    assertThat(written.isSameWriteAs(new StoreEntry<>(new String("one"), 100)))
        .as("an equal immutable value, as a remote store reads a short string anew").isTrue();
    assertThat(written.isSameWriteAs(versioned(new String("one"), 100, 7))).as("against a versioned read").isTrue();
    assertThat(written.isSameWriteAs(new StoreEntry<>(new String("one"), 101))).as("another deadline").isFalse();
    assertThat(written.isSameWriteAs(new StoreEntry<>("two", 100))).isFalse();

    BitSet mutable = BitSet.valueOf(new long[] {5});
    StoreEntry<Object> bits = new StoreEntry<>(mutable, 100);
    assertThat(bits.isSameWriteAs(new StoreEntry<>(mutable, 100))).isTrue();
    assertThat(bits.isSameWriteAs(new StoreEntry<>(BitSet.valueOf(new long[] {5}), 100)))
        .as("an equal mutable value is another object a caller can change").isFalse();
    assertThat(new StoreEntry<>(null, 100).isSameWriteAs(new StoreEntry<>(null, 100))).isTrue();
  }

  @Test
  void twoVersionsDecideByVersionAlone() {
    assertThat(versioned("one", 100, 7).isSameWriteAs(versioned("one", 100, 8))).isFalse();
    assertThat(versioned("one", 100, 7).isSameWriteAs(versioned(new BitSet(), 5, 7))).isTrue();
  }
}
