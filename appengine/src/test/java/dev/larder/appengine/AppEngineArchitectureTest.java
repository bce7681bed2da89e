package dev.larder.appengine;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.larder.ArchitectureRules;
import org.junit.jupiter.api.Test;

/** The layering of docs/architecture.md on the App Engine module's classes. */
class AppEngineArchitectureTest {

  static final JavaClasses CLASSES = ArchitectureRules.mainClasses("dev.larder.appengine");

  @Test
  void theStoreKnowsNothingOfTheCacheLayer() {
    ArchitectureRules.assertStoresKnowNothingOfTheCacheLayer(CLASSES, "dev.larder.appengine..");
  }

  @Test
  void itNamesNoOtherStore() {
    ArchitectureRules.assertNamesNoOtherStore(CLASSES, "dev.larder.appengine..", "dev.larder.memcached..");
  }
}
