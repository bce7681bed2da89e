package dev.larder;

import java.util.HashMap;
import java.util.Map;
import javax.cache.Cache;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;

/**
 * The atomic JCache operations, run concurrently by Lincheck and checked to be linearizable against
 * {@link SequentialModel}, a map. Each store's module extends it with its cache; Lincheck makes an
 * instance per scenario, which {@link #cache()} empties first (one cache for all, as making thousands
 * of caches would measure the making). Keys 1-3 and values 1-3, so the operations collide.
 */
@Param(name = "key", gen = IntGen.class, conf = "1:3")
@Param(name = "value", gen = IntGen.class, conf = "1:3")
public abstract class CacheLinearizability {

  /** The store's cache, emptied: the same one each time. */
  protected abstract Cache<Integer, Integer> cache();

  private final Cache<Integer, Integer> cache = cacheEmptied();

  private Cache<Integer, Integer> cacheEmptied() {
    Cache<Integer, Integer> shared = cache();
    shared.clear();
    return shared;
  }

  @Operation
  public Integer get(@Param(name = "key") int key) {
    return cache.get(key);
  }

  @Operation
  public void put(@Param(name = "key") int key, @Param(name = "value") int value) {
    cache.put(key, value);
  }

  @Operation
  public boolean putIfAbsent(@Param(name = "key") int key, @Param(name = "value") int value) {
    return cache.putIfAbsent(key, value);
  }

  @Operation
  public boolean replace(@Param(name = "key") int key, @Param(name = "value") int value) {
    return cache.replace(key, value);
  }

  @Operation
  public boolean replaceIfEquals(@Param(name = "key") int key, @Param(name = "value") int old,
      @Param(name = "value") int value) {
    return cache.replace(key, old, value);
  }

  @Operation
  public Integer getAndPut(@Param(name = "key") int key, @Param(name = "value") int value) {
    return cache.getAndPut(key, value);
  }

  @Operation
  public Integer getAndReplace(@Param(name = "key") int key, @Param(name = "value") int value) {
    return cache.getAndReplace(key, value);
  }

  @Operation
  public boolean remove(@Param(name = "key") int key) {
    return cache.remove(key);
  }

  @Operation
  public boolean removeIfEquals(@Param(name = "key") int key, @Param(name = "value") int value) {
    return cache.remove(key, value);
  }

  @Operation
  public Integer getAndRemove(@Param(name = "key") int key) {
    return cache.getAndRemove(key);
  }

  /** An entry processor that adds one (from 0) and returns the value before. */
  @Operation
  public Integer increment(@Param(name = "key") int key) {
    return cache.invoke(key, (entry, arguments) -> {
      Integer before = entry.exists() ? entry.getValue() : null;
      entry.setValue(before == null ? 0 : before + 1);
      return before;
    });
  }

  /** Stress: real threads, many runs. */
  protected void stress(int iterations, int invocations) {
    new StressOptions().sequentialSpecification(SequentialModel.class).iterations(iterations)
        .invocationsPerIteration(invocations).threads(2).actorsPerThread(3).check(getClass());
  }

  /** Model checking: Lincheck explores the threads' interleavings itself. */
  protected void modelCheck(int iterations, int invocations) {
    new ModelCheckingOptions().sequentialSpecification(SequentialModel.class).iterations(iterations)
        .invocationsPerIteration(invocations).threads(2).actorsPerThread(3).check(getClass());
  }

  /** What each operation does, one at a time: a map. */
  public static final class SequentialModel {
    private final Map<Integer, Integer> map = new HashMap<>();

    public Integer get(int key) {
      return map.get(key);
    }

    public void put(int key, int value) {
      map.put(key, value);
    }

    public boolean putIfAbsent(int key, int value) {
      return map.putIfAbsent(key, value) == null;
    }

    public boolean replace(int key, int value) {
      return map.replace(key, value) != null;
    }

    public boolean replaceIfEquals(int key, int old, int value) {
      return map.replace(key, old, value);
    }

    public Integer getAndPut(int key, int value) {
      return map.put(key, value);
    }

    public Integer getAndReplace(int key, int value) {
      return map.replace(key, value);
    }

    public boolean remove(int key) {
      return map.remove(key) != null;
    }

    public boolean removeIfEquals(int key, int value) {
      return map.remove(key, value);
    }

    public Integer getAndRemove(int key) {
      return map.remove(key);
    }

    public Integer increment(int key) {
      Integer before = map.get(key);
      map.put(key, before == null ? 0 : before + 1);
      return before;
    }
  }
}
