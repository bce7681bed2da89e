package dev.larder.tck;

import com.google.appengine.api.memcache.MemcacheServiceFactory;
import com.google.appengine.api.memcache.Stats;
import com.google.appengine.tools.development.testing.LocalMemcacheServiceTestConfig;
import com.google.appengine.tools.development.testing.LocalServiceTestHelper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.runner.Description;
import org.junit.runner.Result;
import org.junit.runner.notification.RunListener;

/**
 * The TCK's App Engine run: App Engine's own local memcache service, started in the test JVM before the
 * first test (no App Engine server can be reached from here; this is the service App Engine's SDK
 * provides for tests). Set up on the thread that runs the tests, as on App Engine a request's thread has
 * the environment: Larder's own threads must carry it (asynchronous listeners, {@code loadAll}), so the
 * TCK checks that too. At the end the service's counters go to {@code target/appengine-tck-stats.txt}, for
 * CI to prove the run went through the service.
 */
public final class AppEngineLocalService extends RunListener {

  private final LocalServiceTestHelper helper = new LocalServiceTestHelper(new LocalMemcacheServiceTestConfig());

  @Override
  public void testRunStarted(Description description) {
    helper.setUp();
  }

  @Override
  public void testRunFinished(Result result) {
    Stats stats = MemcacheServiceFactory.getMemcacheService("").getStatistics();
    String line = "hits=" + stats.getHitCount() + " misses=" + stats.getMissCount() + " items=" + stats.getItemCount()
        + " bytesStored=" + stats.getTotalItemBytes() + "\n";
    try {
      Files.writeString(Path.of("target", "appengine-tck-stats.txt"), line);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    helper.tearDown();
  }
}
