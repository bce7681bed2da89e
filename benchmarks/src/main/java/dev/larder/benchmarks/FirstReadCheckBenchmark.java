package dev.larder.benchmarks;

import dev.larder.store.codec.TaggedSerializer;
import java.io.ObjectInputFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the memcached store's first read after a write now costs on top of the round trip: one
 * deserialization of the item's bytes through a filter (before, the JVM that wrote the value served it
 * from memory unchecked, so the allow-list depended on garbage collection). Set it against
 * {@code MemcachedBenchmark.get} (a round trip) of the same run:
 * {@code java -jar benchmarks.jar 'FirstReadCheckBenchmark|MemcachedBenchmark.get' -p client=larder -p servers=3 -f 3}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(3)
public class FirstReadCheckBenchmark {

  /** {@code string}: Larder's compact form; {@code list}: Java serialization of a small collection. */
  @Param({"string", "list"})
  public String value;

  private byte[] bytes;
  private final ObjectInputFilter filter = ObjectInputFilter.Config.createFilter("java.**;!*");

  @Setup
  public void serialize() {
    Object object = value.equals("string") ? "report 42 computed at 12:00:00"
        : new ArrayList<>(List.of("report 42", 1_234_567L, "computed at 12:00:00"));
    bytes = TaggedSerializer.INSTANCE.serialize(object);
  }

  @Benchmark
  public Object deserializeChecked() {
    return TaggedSerializer.INSTANCE.deserialize(bytes, FirstReadCheckBenchmark.class.getClassLoader(), filter);
  }
}
