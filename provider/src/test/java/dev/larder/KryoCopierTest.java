package dev.larder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.larder.copy.KryoCopier;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The default copier: deep, cycle-safe, and faithful to classes that customize their serialization. */
class KryoCopierTest {

  static final class Node implements Serializable {
    String name;
    Node next;
    List<String> tags = new ArrayList<>();
    Map<String, Integer> counts = new HashMap<>();
  }

  /** Rebuilds a derived field on deserialization: a field-by-field copy would skip that rule. */
  static final class Derived implements Serializable {
    final String text;
    transient int length;

    Derived(String text) {
      this.text = text;
      this.length = text.length();
    }

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
      in.defaultReadObject();
      length = text.length();
    }
  }

  @Test
  void copiesTheWholeGraphCyclesIncluded() {
    Node a = new Node();
    a.name = "a";
    a.tags.add("x");
    a.counts.put("k", 1);
    Node b = new Node();
    b.name = "b";
    a.next = b;
    b.next = a;

    Node copy = KryoCopier.INSTANCE.copy(a, getClass().getClassLoader());
    assertThat(copy).isNotSameAs(a);
    assertThat(copy.next).isNotSameAs(b);
    assertThat(copy.next.next).isSameAs(copy);
    assertThat(copy.tags).containsExactly("x").isNotSameAs(a.tags);
    assertThat(copy.counts).containsEntry("k", 1).isNotSameAs(a.counts);
  }

  @Test
  void classesWithTheirOwnSerializationRulesAreCopiedByThem() {
    Derived copy = KryoCopier.INSTANCE.copy(new Derived("four"), getClass().getClassLoader());
    assertThat(copy.length).isEqualTo(4);
  }

  @Test
  void valuesThatAreNotSerializableAreRefusedNamingTheirClass() {
    assertThatThrownBy(() -> KryoCopier.INSTANCE.copy(new Object(), getClass().getClassLoader()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("java.lang.Object");
  }
}
