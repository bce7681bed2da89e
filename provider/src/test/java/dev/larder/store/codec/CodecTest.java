package dev.larder.store.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.larder.store.StoreEntry;
import dev.larder.store.StoreUnavailableException;
import java.io.ObjectInputFilter;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.cache.CacheException;
import org.junit.jupiter.api.Test;

/**
 * What the remote stores share, on its own: the envelope, the tagged serializer and its allow-list and
 * limits, item keys, recent values, the generation, batched listing and settings parsing. The stores'
 * own tests (memcached, App Engine) run the same code against the real services.
 */
class CodecTest {

  static final ClassLoader LOADER = CodecTest.class.getClassLoader();

  record Point(int x, int y) implements Serializable {}

  static final class Node implements Serializable {
    Node next;
  }

  @Test
  void anEnvelopeCarriesDeadlineStampKeyAndValueAndRefusesWhatLarderDidNotWrite() {
    byte[] key = "k".getBytes(StandardCharsets.US_ASCII);
    byte[] value = {1, 2, 3};
    Envelope plain = Envelope.decode(Envelope.encode(key, value, 1234L), "k", "test");
    assertThat(plain.deadline()).isEqualTo(1234L);
    assertThat(plain.stamp()).isZero();
    assertThat(plain.key()).isEqualTo(key);
    assertThat(plain.value()).isEqualTo(value);
    assertThat(plain.hasKey(key)).isTrue();
    assertThat(plain.hasKey("j".getBytes(StandardCharsets.US_ASCII))).isFalse();
    assertThat(plain.hasKey("kk".getBytes(StandardCharsets.US_ASCII))).isFalse();
    Envelope stamped = Envelope.decode(Envelope.encode(key, value, 99L, 77L), "k", "test");
    assertThat(stamped.deadline()).isEqualTo(99L);
    assertThat(stamped.stamp()).isEqualTo(77L);
    assertThat(stamped.value()).isEqualTo(value);
    assertThat(stamped.key()).isEqualTo(key);

    byte[] good = Envelope.encode(key, value, 1L);
    byte[] wrongMagic = good.clone();
    wrongMagic[0] = 'X';
    byte[] wrongVersion = good.clone();
    wrongVersion[1] = 9;
    byte[] shortStamped = good.clone();
    shortStamped[1] = 2;
    byte[] damaged = good.clone();
    damaged[13] = 100; // key length past the end
    byte[] negative = good.clone();
    negative[10] = (byte) 0x80;
    for (byte[] bad : List.of(new byte[3], wrongMagic, wrongVersion, java.util.Arrays.copyOf(shortStamped, 15))) {
      assertThatThrownBy(() -> Envelope.decode(bad, "k", "test")).isInstanceOf(CacheException.class)
          .hasMessageContaining("The item k in test was not written by this version of Larder");
    }
    for (byte[] bad : List.of(damaged, negative)) {
      assertThatThrownBy(() -> Envelope.decode(bad, "k", "test")).isInstanceOf(CacheException.class)
          .hasMessageContaining("The item k in test is damaged");
    }
  }

  @Test
  void shortStringsLongsAndIntegersReadCheaplyAndNothingElse() {
    TaggedSerializer serializer = TaggedSerializer.INSTANCE;
    for (Object cheap : List.of("", "v".repeat(100), "é".repeat(256), 5L, -7)) {
      byte[] bytes = serializer.serialize(cheap);
      assertThat(serializer.readsCheaply(bytes, 0, bytes.length)).as("%s", cheap).isTrue();
    }
    for (Object held : List.of("v".repeat(513), "é".repeat(257), new Point(1, 2), new ArrayList<>(List.of("a")))) {
      byte[] bytes = serializer.serialize(held);
      assertThat(serializer.readsCheaply(bytes, 0, bytes.length)).as("%s", held).isFalse();
    }
    byte[] inAnEnvelope = Envelope.encode(new byte[] {'k'}, serializer.serialize("v"), StoreEntry.NEVER);
    assertThat(Envelope.decode(inAnEnvelope, "k", "test").valueReadsCheaply(serializer)).as("read in place").isTrue();
    assertThat(serializer.readsCheaply(new byte[0], 0, 0)).isFalse();
    assertThat(new Serializer() {
      @Override
      public byte[] serialize(Object object) {
        return new byte[] {TaggedSerializer.STRING};
      }

      @Override
      public Object deserialize(byte[] bytes, ClassLoader classLoader) {
        return "";
      }
    }.readsCheaply(new byte[] {TaggedSerializer.STRING}, 0, 1)).as("another serializer's values are all held").isFalse();
  }

  @Test
  void theSerializerTagsCommonKeysAndRoundTripsEverythingSerializable() {
    TaggedSerializer serializer = TaggedSerializer.INSTANCE;
    assertThat(serializer.serialize("héllo")[0]).isEqualTo(TaggedSerializer.STRING);
    assertThat(serializer.serialize(5L)).hasSize(9).startsWith(TaggedSerializer.LONG);
    assertThat(serializer.serialize(5)).hasSize(5).startsWith(TaggedSerializer.INTEGER);
    assertThat(serializer.serialize(new Point(1, 2))[0]).isEqualTo(TaggedSerializer.JAVA);
    for (Object value : List.of("héllo", "", 5L, -7, new Point(1, 2), new ArrayList<>(List.of("a")))) {
      assertThat(serializer.deserialize(serializer.serialize(value), LOADER)).isEqualTo(value);
    }
    assertThatThrownBy(() -> serializer.serialize(new Object())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("java.lang.Object");
    assertThatThrownBy(() -> serializer.deserialize(new byte[0], LOADER)).isInstanceOf(CacheException.class)
        .hasMessageContaining("empty");
    assertThatThrownBy(() -> serializer.deserialize(new byte[] {'?', 1, 2}, LOADER)).isInstanceOf(CacheException.class)
        .hasMessageContaining("unknown tag");
    byte[] truncated = java.util.Arrays.copyOf(serializer.serialize(new Point(1, 2)), 10);
    assertThatThrownBy(() -> serializer.deserialize(truncated, LOADER)).isInstanceOf(CacheException.class);
  }

  @Test
  void theAllowListTakesTheCachesTypesTheirPackagesAndSafeJdkClassesAndNamesTheSettingForTheRest() {
    DeserializationAllowList onlyStrings = new DeserializationAllowList(List.of(String.class, Object.class), "",
        DeserializationLimits.DEFAULT, "larder.test", "the test store");
    TaggedSerializer serializer = TaggedSerializer.INSTANCE;
    byte[] point = serializer.serialize(new Point(1, 2));
    assertThatThrownBy(() -> serializer.deserialize(point, LOADER, onlyStrings)).isInstanceOf(CacheException.class)
        .hasMessageContaining(Point.class.getName()).hasMessageContaining("the test store")
        .hasMessageContaining("larder.test.deserialization.allow=dev.larder.store.codec.**");
    assertThat(serializer.deserialize(serializer.serialize(new ArrayList<>(List.of(1L))), LOADER, onlyStrings))
        .isEqualTo(List.of(1L));
    assertThat(serializer.deserialize(serializer.serialize(java.math.BigDecimal.ONE), LOADER, onlyStrings))
        .isEqualTo(java.math.BigDecimal.ONE);

    DeserializationAllowList byType = new DeserializationAllowList(List.of(Point.class), "", DeserializationLimits.DEFAULT,
        "larder.test", "the test store");
    assertThat(serializer.deserialize(point, LOADER, byType)).isEqualTo(new Point(1, 2));
    assertThat(serializer.deserialize(serializer.serialize(new Node()), LOADER, byType))
        .as("the type's package").isInstanceOf(Node.class);
    DeserializationAllowList byPattern = new DeserializationAllowList(List.of(String.class),
        Point.class.getName(), DeserializationLimits.DEFAULT, "larder.test", "the test store");
    assertThat(serializer.deserialize(point, LOADER, byPattern)).isEqualTo(new Point(1, 2));
    assertThat(byPattern.refusal("java.net.URL")).contains("a JDK class outside the safe ones")
        .contains("deserialization.allow=java.net.URL");
    assertThat(byPattern.refusal("[Lcom.example.Thing;")).contains("com.example.**");
  }

  @Test
  void limitsStopADeepOrLargeGraphBeforeItIsBuiltAndNameTheSettingToRaise() {
    Node head = new Node();
    Node tail = head;
    for (int i = 0; i < 30; i++) {
      tail.next = new Node();
      tail = tail.next;
    }
    TaggedSerializer serializer = TaggedSerializer.INSTANCE;
    byte[] deep = serializer.serialize(head);
    DeserializationAllowList shallow = new DeserializationAllowList(List.of(Node.class), "",
        new DeserializationLimits(10, -1, -1, -1), "larder.test", "the test store");
    assertThatThrownBy(() -> serializer.deserialize(deep, LOADER, shallow)).isInstanceOf(CacheException.class)
        .hasMessageContaining("nested deeper than 10").hasMessageContaining("larder.test.deserialization.max.depth");
    DeserializationAllowList small = new DeserializationAllowList(List.of(Node.class), "",
        new DeserializationLimits(100, -1, -1, 50), "larder.test", "the test store");
    assertThatThrownBy(() -> serializer.deserialize(deep, LOADER, small)).isInstanceOf(CacheException.class)
        .hasMessageContaining("larger than 50 bytes").hasMessageContaining("max.bytes");
    DeserializationAllowList fewReferences = new DeserializationAllowList(List.of(Node.class), "",
        new DeserializationLimits(100, -1, 5, -1), "larder.test", "the test store");
    assertThatThrownBy(() -> serializer.deserialize(deep, LOADER, fewReferences)).isInstanceOf(CacheException.class)
        .hasMessageContaining("more than 5 objects").hasMessageContaining("max.references");
    DeserializationAllowList shortArrays = new DeserializationAllowList(List.of(String.class), "",
        new DeserializationLimits(100, 3, -1, -1), "larder.test", "the test store");
    byte[] array = serializer.serialize(new ArrayList<>(List.of(1L, 2L, 3L, 4L, 5L)));
    assertThatThrownBy(() -> serializer.deserialize(array, LOADER, shortArrays)).isInstanceOf(CacheException.class)
        .hasMessageContaining("elements, over 3").hasMessageContaining("max.array.length");

    assertThatThrownBy(() -> new DeserializationLimits(0, -1, -1, -1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new DeserializationLimits(1, -2, -1, -1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new DeserializationLimits(1, -1, 0, -1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new DeserializationLimits(1, -1, -1, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new DeserializationLimits(1, -1, -2, -1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new DeserializationLimits(1, -1, -1, -2)).isInstanceOf(IllegalArgumentException.class);
    Properties properties = new Properties();
    properties.setProperty("p.deserialization.max.depth", "7");
    properties.setProperty("p.deserialization.max.bytes", "1000");
    assertThat(DeserializationLimits.from(properties, "p")).isEqualTo(new DeserializationLimits(7, -1, -1, 1000));
    assertThat(DeserializationLimits.names("p")).contains("p.deserialization.max.references").hasSize(4);
  }

  @Test
  void settingsAreParsedWithErrorsThatNameTheSettingAndTheValue() {
    Properties properties = new Properties();
    properties.setProperty("n", " 42 ");
    properties.setProperty("blank", " ");
    properties.setProperty("bad", "4x");
    properties.setProperty("huge", "99999999999");
    properties.setProperty("yes", " TRUE ");
    properties.setProperty("maybe", "perhaps");
    properties.setProperty("policy", " Miss ");
    assertThat(StoreSettings.longSetting(properties, "n", 1)).isEqualTo(42);
    assertThat(StoreSettings.longSetting(properties, "blank", 1)).isEqualTo(1);
    assertThat(StoreSettings.longSetting(properties, "absent", 1)).isEqualTo(1);
    assertThatThrownBy(() -> StoreSettings.longSetting(properties, "bad", 1)).hasMessage("bad must be a whole number, was '4x'");
    assertThat(StoreSettings.intSetting(properties, "n", 1)).isEqualTo(42);
    assertThatThrownBy(() -> StoreSettings.intSetting(properties, "huge", 1)).hasMessageContaining("huge must be at most");
    assertThat(StoreSettings.booleanSetting(properties, "yes")).isTrue();
    assertThat(StoreSettings.booleanSetting(properties, "absent")).isFalse();
    assertThat(StoreSettings.booleanSetting(properties, "blank")).isFalse();
    assertThatThrownBy(() -> StoreSettings.booleanSetting(properties, "maybe")).hasMessageContaining("maybe must be true or false");
    assertThat(StoreSettings.failuresAsMisses(properties, "policy")).isTrue();
    assertThat(StoreSettings.failuresAsMisses(properties, "absent")).isFalse();
    assertThatThrownBy(() -> StoreSettings.failuresAsMisses(properties, "maybe")).hasMessageContaining("'throw' or 'miss'");
    assertThat(StoreSettings.allowPatterns(" com.example.** ", "allow")).isEqualTo("com.example.**");
    assertThat(StoreSettings.allowPatterns(null, "allow")).isEmpty();
    assertThatThrownBy(() -> StoreSettings.allowPatterns("maxdepth=deep", "allow")).hasMessageContaining("allow is not a valid");
    assertThat(StoreSettings.prefix("larder", "prefix")).isEqualTo("larder");
    for (String bad : List.of("", "a b", "a:b", "é")) {
      assertThatThrownBy(() -> StoreSettings.prefix(bad, "prefix")).hasMessageContaining("prefix must be printable ASCII");
    }
    assertThatThrownBy(() -> StoreSettings.prefix(null, "prefix")).isInstanceOf(NullPointerException.class);
  }

  @Test
  void itemKeysAreReadableWhereTheyFitAndHashedElsewhereAndKeysRoundTrip() {
    TaggedSerializer serializer = TaggedSerializer.INSTANCE;
    assertThat(RemoteKeys.itemKey("p:", serializer.serialize("user-1"), 250)).isEqualTo("p:suser-1");
    assertThat(RemoteKeys.itemKey("p:", serializer.serialize(7L), 250)).isEqualTo("p:l7");
    assertThat(RemoteKeys.itemKey("p:", serializer.serialize(-3), 250)).isEqualTo("p:i-3");
    String hashed = RemoteKeys.itemKey("p:", serializer.serialize("with space"), 250);
    assertThat(hashed).startsWith("p:h").hasSize(3 + 43).doesNotContain(" ");
    assertThat(RemoteKeys.itemKey("p:", serializer.serialize("é"), 250)).startsWith("p:h");
    assertThat(RemoteKeys.itemKey("p:", serializer.serialize("long-enough"), 8)).startsWith("p:h");
    assertThat(RemoteKeys.itemKey("p:", serializer.serialize(new Point(1, 2)), 250)).startsWith("p:h");
    assertThat(RemoteKeys.hash(new byte[] {1})).isNotEqualTo(RemoteKeys.hash(new byte[] {2})).hasSize(43);

    RemoteKeys<Object> keys = new RemoteKeys<>(serializer, LOADER, null);
    assertThat(keys.key(keys.bytes("k"))).isEqualTo("k");
    Object unserializable = new Object();
    byte[] surrogate = keys.bytes(unserializable);
    assertThat(surrogate[0]).isEqualTo((byte) 'x');
    assertThat(keys.bytes(unserializable)).as("the same surrogate every time").isEqualTo(surrogate);
    assertThat(keys.key(surrogate)).isSameAs(unserializable);
    RemoteKeys.Batch<Object> batch = keys.batch(List.of("a", 1L), bytes -> RemoteKeys.itemKey("p:", bytes, 250));
    assertThat(batch.keys()).containsExactly(java.util.Map.entry("p:sa", "a"), java.util.Map.entry("p:l1", 1L));
    assertThat(batch.bytes().get("p:sa")).isEqualTo(serializer.serialize("a"));
    keys.clear();
    assertThat(keys.key(surrogate)).as("forgotten with the generation").isNull();
    assertThat(keys.bytes(unserializable)).isNotEqualTo(surrogate);
  }

  /** The default serializer, counting its reads. */
  static final class CountingSerializer implements Serializer {
    final AtomicInteger reads = new AtomicInteger();

    @Override
    public byte[] serialize(Object object) {
      return TaggedSerializer.INSTANCE.serialize(object);
    }

    @Override
    public Object deserialize(byte[] bytes, ClassLoader classLoader) {
      reads.incrementAndGet();
      return TaggedSerializer.INSTANCE.deserialize(bytes, classLoader);
    }

    @Override
    public boolean readsCheaply(byte[] bytes, int offset, int length) {
      return TaggedSerializer.INSTANCE.readsCheaply(bytes, offset, length);
    }
  }

  static final ObjectInputFilter ANY_CLASS = info -> ObjectInputFilter.Status.ALLOWED;

  /** The bytes a store writes for {@code value}. */
  static byte[] envelopeOf(Object value) {
    return Envelope.encode(new byte[] {'k'}, TaggedSerializer.INSTANCE.serialize(value), StoreEntry.NEVER);
  }

  static Envelope read(byte[] envelope) {
    return Envelope.decode(envelope, "k", "test");
  }

  @Test
  void recentValuesGiveBackTheInstanceThisJvmWroteOnceItsBytesPassedTheCheck() {
    CountingSerializer serializer = new CountingSerializer();
    RecentValues<Point> recent = new RecentValues<>(serializer, LOADER, ANY_CLASS);
    Point mine = new Point(1, 1);
    byte[] written = envelopeOf(mine);
    recent.written("item", "server@0", 1, mine, written);
    assertThat(recent.value("item", "server@0", 1, read(written)))
        .as("checked, then this JVM's own instance").isSameAs(mine);
    assertThat(recent.value("item", "server@0", 1, read(written))).isSameAs(mine);
    assertThat(serializer.reads).as("deserialized once, for the check").hasValue(1);
    assertThat(recent.value("item", "server@0", 2, read(envelopeOf(new Point(2, 2)))))
        .as("another version").isEqualTo(new Point(2, 2));
    assertThat(recent.value("item", "server@1", 2, read(envelopeOf(new Point(3, 3)))))
        .as("the same token from another run of the server").isEqualTo(new Point(3, 3));
    assertThat(recent.value("other", "server@1", 2, read(envelopeOf(new Point(4, 4)))))
        .as("another item").isEqualTo(new Point(4, 4));
    recent.written("unwritten", "server@0", 3, null, envelopeOf(new Point(0, 0)));
    assertThat(recent.value("unwritten", "server@0", 3, read(envelopeOf(new Point(5, 5)))))
        .isEqualTo(new Point(5, 5));
    recent.clear();
    assertThat(recent.value("item", "server@1", 2, read(envelopeOf(new Point(6, 6)))))
        .as("after clear").isEqualTo(new Point(6, 6));
  }

  @Test
  void recentValuesReadValuesThatReadCheaplyAnewAndNeverHoldThem() {
    CountingSerializer serializer = new CountingSerializer();
    RecentValues<Object> recent = new RecentValues<>(serializer, LOADER, ANY_CLASS);
    String mine = "v".repeat(100);
    byte[] plain = envelopeOf(mine);
    byte[] stamped = Envelope.encode(new byte[] {'k', 'e', 'y'}, serializer.serialize(7L), StoreEntry.NEVER, 42L);
    recent.written("item", "server@0", 1, mine, plain);
    recent.written("stamped", "stamps", 42L, 7L, stamped);
    assertThat(recent.size()).as("nothing held on the write").isZero();
    for (int read = 1; read <= 2; read++) {
      assertThat(recent.value("item", "server@0", 1, read(plain))).isEqualTo(mine).isNotSameAs(mine);
      assertThat(serializer.reads).as("read anew, every time").hasValue(read);
    }
    assertThat(recent.size()).as("nor on the read").isZero();
    assertThat(recent.read(read(stamped))).isEqualTo(7L);
    String longer = "v".repeat(513);
    recent.written("longer", "server@0", 1, longer, envelopeOf(longer));
    assertThat(recent.value("longer", "server@0", 1, read(envelopeOf(longer)))).isSameAs(longer);
  }

  @Test
  void recentValuesHoldOneSlotPerItemAndAtMostTheirBound() {
    RecentValues<java.time.DayOfWeek> recent = new RecentValues<>(TaggedSerializer.INSTANCE, LOADER, ANY_CLASS);
    byte[] monday = envelopeOf(java.time.DayOfWeek.MONDAY);
    for (long version = 1; version <= 1_000; version++) {
      recent.written("day", "server@0", version, java.time.DayOfWeek.MONDAY, monday); // never collected
    }
    assertThat(recent.size()).as("one slot for the item, not one per write").isEqualTo(1);
    for (int item = 0; item < RecentValues.MAX_ITEMS; item++) {
      recent.written(item, "server@0", 1, java.time.DayOfWeek.MONDAY, monday);
    }
    assertThat(recent.size()).as("dropped at the bound, then refilled").isLessThan(RecentValues.MAX_ITEMS).isPositive();
    assertThat(recent.value(RecentValues.MAX_ITEMS - 1, "server@0", 1,
        read(envelopeOf(java.time.DayOfWeek.SUNDAY)))).as("a slot held after the drop still counts")
        .isSameAs(java.time.DayOfWeek.MONDAY);
  }

  @Test
  void theGenerationComesFromTheCounterAndAnOlderCounterIsRaised() {
    AtomicLong counter = new AtomicLong(1_000);
    List<String> raised = new ArrayList<>();
    AtomicInteger reads = new AtomicInteger();
    Generation generation = new Generation(new Generation.Counter() {
      @Override
      public long readOrCreate(long initial) {
        reads.incrementAndGet();
        return counter.get();
      }

      @Override
      public void raise(long found, long inUse) {
        raised.add(found + "->" + inUse);
        counter.set(inUse);
      }
    }, "test");
    assertThat(generation.current()).isEqualTo(1_000);
    assertThat(generation.current()).as("read at most once a second").isEqualTo(1_000);
    assertThat(reads).hasValue(1);
    generation.accept(2_000); // a clear's increment
    assertThat(generation.lastRead()).isEqualTo(2_000);
    assertThat(generation.initial()).isGreaterThan(2_000);
    counter.set(5); // the counter was lost and made again
    generation.refresh();
    assertThat(raised).containsExactly("5->2000");
    assertThat(generation.lastRead()).isEqualTo(2_000);

    Generation unreadable = new Generation(new Generation.Counter() {
      @Override
      public long readOrCreate(long initial) {
        throw new StoreUnavailableException("counter's server down", null);
      }

      @Override
      public void raise(long found, long inUse) {
      }
    }, "test");
    assertThatThrownBy(unreadable::current).as("never read: nothing to fall back on")
        .isInstanceOf(StoreUnavailableException.class);
  }

  @Test
  void aBatchedListingFetchesOneBatchAtATimeAndSkipsWhatIsGone() {
    List<List<String>> fetched = new ArrayList<>();
    List<String> keys = List.of("a", "b", "c", "d", "e");
    Iterator<String> listing = new BatchedIterator<>(keys, 2, batch -> {
      fetched.add(batch);
      return batch.contains("c") ? List.of() : batch; // c and d gone meanwhile
    });
    List<String> seen = new ArrayList<>();
    listing.forEachRemaining(seen::add);
    assertThat(seen).containsExactly("a", "b", "e");
    assertThat(fetched).containsExactly(List.of("a", "b"), List.of("c", "d"), List.of("e"));
    assertThat(listing.hasNext()).isFalse();
    assertThatThrownBy(listing::next).isInstanceOf(NoSuchElementException.class);
  }
}
