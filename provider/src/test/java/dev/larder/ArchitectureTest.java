package dev.larder;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import org.junit.jupiter.api.Test;

/**
 * The layering of docs/architecture.md, checked on the provider's classes: the store SPI and what
 * implements it know nothing of the JCache layer above them, the provider names no remote store, and
 * the provider's packages depend on each other without cycles.
 */
class ArchitectureTest {

  static final JavaClasses PROVIDER = ArchitectureRules.mainClasses("dev.larder");

  @Test
  void theStoreSpiAndItsImplementationsKnowNothingOfTheCacheLayer() {
    ArchitectureRules.assertStoresKnowNothingOfTheCacheLayer(PROVIDER, "dev.larder.store..");
  }

  @Test
  void theProviderNamesNoRemoteStore() {
    noClasses().should().dependOnClassesThat().resideInAnyPackage("dev.larder.memcached..", "dev.larder.appengine..")
        .because("stores are found by name (StoreProvider), so in-process users pull no client")
        .check(PROVIDER);
  }

  @Test
  void theProvidersPackagesHaveNoCycles() {
    slices().matching("dev.larder.(**)").should().beFreeOfCycles().check(PROVIDER);
  }
}
