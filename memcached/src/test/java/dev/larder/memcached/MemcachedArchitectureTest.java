package dev.larder.memcached;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.larder.ArchitectureRules;
import org.junit.jupiter.api.Test;

/** The layering of docs/architecture.md on the memcached module's classes. */
class MemcachedArchitectureTest {

  static final JavaClasses CLASSES = ArchitectureRules.mainClasses("dev.larder.memcached");

  @Test
  void theStoreKnowsNothingOfTheCacheLayer() {
    ArchitectureRules.assertStoresKnowNothingOfTheCacheLayer(CLASSES, "dev.larder.memcached..");
  }

  @Test
  void itNamesNoOtherStore() {
    ArchitectureRules.assertNamesNoOtherStore(CLASSES, "dev.larder.memcached..", "dev.larder.appengine..");
  }

  @Test
  void theProtocolKnowsNothingOfTheStoreOverIt() {
    noClasses().that().resideInAPackage("dev.larder.memcached.protocol..")
        .should().dependOnClassesThat().resideInAPackage("dev.larder.memcached")
        .because("the protocol package is a memcached client: the store is built on it, not the reverse")
        .check(CLASSES);
  }
}
