package dev.larder.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.Serializable;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Which values are shared instead of copied, and what each copier does with what it cannot copy. */
class CopiersTest {

  enum Colour { RED, GREEN { @Override public String toString() { return "green"; } } }

  record Point(int x, long y, String label, Colour colour) implements Serializable {}

  record Holder(List<String> items) implements Serializable {}

  record Nested(Point point) implements Serializable {}

  static class MutableBox implements Serializable {
    int value;
  }

  static class BigDecimalSubclass extends BigDecimal {
    BigDecimalSubclass() {
      super(1);
    }
  }

  /** The class of an enum constant with a body of its own: a subclass of the enum. */
  @SuppressWarnings("GetClassOnEnum") // the subclass is the point
  static Class<?> greenSubclass() {
    return Colour.GREEN.getClass();
  }

  @Test
  void immutableValuesAreThoseWhoseStateCanNeverChange() {
    for (Class<?> type : List.of(String.class, Integer.class, Long.class, UUID.class, Instant.class, BigDecimal.class,
        BigInteger.class, Colour.class, greenSubclass(), Point.class, Nested.class, ZoneId.of("Europe/Paris").getClass(),
        ZoneId.of("UTC").getClass())) {
      assertThat(Immutables.isImmutable(type)).as(type.getName()).isTrue();
    }
    for (Class<?> type : List.of(MutableBox.class, ArrayList.class, Holder.class, BigDecimalSubclass.class, Object.class,
        int[].class, java.util.Date.class)) {
      assertThat(Immutables.isImmutable(type)).as(type.getName()).isFalse();
    }
  }

  record WithNumber(Number number) implements Serializable {}

  record WithPrimitivesAndRecords(int a, double b, Point point, Colour colour, String text) implements Serializable {}

  @Test
  void theRuleItselfUncached() {
    for (Class<?> type : List.of(String.class, UUID.class, BigDecimal.class, BigInteger.class, Colour.class,
        greenSubclass(), Point.class, Nested.class, WithPrimitivesAndRecords.class, ZoneId.of("Europe/Paris").getClass(),
        ZoneId.of("UTC").getClass())) {
      assertThat(Immutables.isImmutableClass(type)).as(type.getName()).isTrue();
    }
    for (Class<?> type : List.of(MutableBox.class, ArrayList.class, Holder.class, BigDecimalSubclass.class,
        WithNumber.class, Object.class, int[].class, java.util.Date.class)) {
      assertThat(Immutables.isImmutableClass(type)).as(type.getName()).isFalse();
    }
  }

  /** Resolves to one canonical instance: only Java serialization keeps that rule. */
  static final class Canonical implements Serializable {
    static final Canonical ONE = new Canonical();

    private Object readResolve() {
      return ONE;
    }
  }

  static final class CanonicalChild extends MutableBoxWithWriteObject {
  }

  static class MutableBoxWithWriteObject implements Serializable {
    private void writeObject(java.io.ObjectOutputStream out) throws java.io.IOException {
      out.defaultWriteObject();
    }
  }

  static final class External implements java.io.Externalizable {
    @Override
    public void writeExternal(java.io.ObjectOutput out) {
    }

    @Override
    public void readExternal(java.io.ObjectInput in) {
    }
  }

  @Test
  void classesWithSerializationRulesOfTheirOwnAreCopiedByThoseRules() {
    assertThat(KryoCopier.customizesSerialization(Canonical.class)).isTrue();
    assertThat(KryoCopier.customizesSerialization(MutableBoxWithWriteObject.class)).isTrue();
    assertThat(KryoCopier.customizesSerialization(CanonicalChild.class)).as("inherited").isTrue();
    assertThat(KryoCopier.customizesSerialization(External.class)).isTrue();
    assertThat(KryoCopier.customizesSerialization(MutableBox.class)).isFalse();
    assertThat(KryoCopier.customizesSerialization(Point.class)).isFalse();
    assertThat(KryoCopier.INSTANCE.copy(Canonical.ONE, getClass().getClassLoader())).isSameAs(Canonical.ONE);
  }

  @Test
  void javaSerializationCopiesDeeplyAndSaysWhatItCannotCopy() {
    MutableBox box = new MutableBox();
    box.value = 7;
    MutableBox copy = JavaSerializationCopier.INSTANCE.copy(box, getClass().getClassLoader());
    assertThat(copy).isNotSameAs(box);
    assertThat(copy.value).isEqualTo(7);

    List<Object> notSerializable = new ArrayList<>(List.of(new Object()));
    assertThatThrownBy(() -> JavaSerializationCopier.INSTANCE.copy(notSerializable, getClass().getClassLoader()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("java.util.ArrayList").hasMessageContaining("java.lang.Object is not Serializable");
  }

  @Test
  void kryoRefusesWhatIsNotSerializableAsTheSpecsCopyWould() {
    assertThatThrownBy(() -> KryoCopier.INSTANCE.copy(new Object(), getClass().getClassLoader()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("java.lang.Object")
        .hasMessageContaining("not Serializable");
    MutableBox box = new MutableBox();
    box.value = 3;
    MutableBox copy = KryoCopier.INSTANCE.copy(box, getClass().getClassLoader());
    assertThat(copy).isNotSameAs(box);
    assertThat(copy.value).isEqualTo(3);
  }

  /** A node of a graph that may share and cycle. */
  static final class Node implements Serializable {
    private static final long serialVersionUID = 1L;
    String name;
    Node next;
    Node other;
  }

  /** A value of primitives and immutable types only, as a session or a DTO often is. */
  static final class Profile implements Serializable {
    private static final long serialVersionUID = 1L;
    int id;
    String name;
    Long visits;
    java.time.Instant seen;
  }

  /** Like {@link Profile}, with one field that could hold any Serializable. */
  static class Loose extends MutableBox {
    private static final long serialVersionUID = 1L;
    static Object shared; // static: not part of an instance
    Serializable anything;
  }

  @Test
  void kryoKeepsCyclesAndSharedReferencesAndCopiesFlatValuesAlone() {
    assertThat(KryoCopier.isFlat(Profile.class)).isTrue();
    assertThat(KryoCopier.isFlat(MutableBox.class)).as("an int field").isTrue();
    assertThat(KryoCopier.isFlat(Node.class)).isFalse();
    assertThat(KryoCopier.isFlat(Loose.class)).as("a Serializable field").isFalse();
    assertThat(KryoCopier.isFlat(int[].class)).isFalse();

    Profile profile = new Profile();
    profile.id = 7;
    profile.name = "seven";
    profile.visits = 3L;
    profile.seen = java.time.Instant.EPOCH;
    Profile copy = KryoCopier.INSTANCE.copy(profile, getClass().getClassLoader());
    assertThat(copy).isNotSameAs(profile).usingRecursiveComparison().isEqualTo(profile);
    copy.id = 8;
    assertThat(profile.id).isEqualTo(7);

    // First without a cycle (an untracked one would overflow the stack, and take the JVM's class
    // initialization with it: no clean failure): b reached twice from a stays one object.
    Node root = new Node();
    root.next = new Node();
    root.other = root.next;
    Node sharedCopy = KryoCopier.INSTANCE.copy(root, getClass().getClassLoader());
    assertThat(sharedCopy.other).as("the shared reference").isSameAs(sharedCopy.next).isNotSameAs(root.next);

    // A flat value copied in between does not disturb the tracking of the next graph's references.
    Node a = new Node();
    Node b = new Node();
    a.name = "a";
    b.name = "b";
    a.next = b;
    b.next = a; // a cycle
    a.other = b; // and b reached twice from a
    for (int i = 0; i < 2; i++) {
      Node copied = KryoCopier.INSTANCE.copy(a, getClass().getClassLoader());
      assertThat(copied).isNotSameAs(a);
      assertThat(copied.next).isNotSameAs(b);
      assertThat(copied.next.next).as("the cycle").isSameAs(copied);
      assertThat(copied.other).as("the shared reference").isSameAs(copied.next);
      assertThat(copied.next.name).isEqualTo("b");
      KryoCopier.INSTANCE.copy(profile, getClass().getClassLoader());
    }
  }
}
