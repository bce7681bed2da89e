package dev.larder;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/** The layering rules every store's module checks on its own classes (shipped in the provider's test-jar). */
public final class ArchitectureRules {

  private ArchitectureRules() {
  }

  /** The main (not test) classes of the packages, as compiled. */
  public static JavaClasses mainClasses(String... packages) {
    return new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS).importPackages(packages);
  }

  /**
   * What a store may not know: events, entry processors, loaders and writers, configuration, statistics
   * and the cache layer itself ({@code dev.larder}'s own classes). {@code management.MBeans}, how any
   * Larder MXBean is named and registered, is the one class of {@code management} a store may use.
   */
  public static void assertStoresKnowNothingOfTheCacheLayer(JavaClasses classes, String storePackages) {
    noClasses().that().resideInAPackage(storePackages)
        .should().dependOnClassesThat().resideInAnyPackage("dev.larder.event..", "dev.larder.processor..",
            "dev.larder.integration..", "dev.larder.configuration..", "dev.larder")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("dev.larder.management.CacheStatistics")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("dev.larder.management.CacheConfigurationBean")
        .because("each JCache rule is written once, above the store (docs/architecture.md)")
        .check(classes);
  }

  /** A remote store's module names no other remote store. */
  public static void assertNamesNoOtherStore(JavaClasses classes, String ownPackage, String... otherStores) {
    noClasses().that().resideInAPackage(ownPackage).should().dependOnClassesThat().resideInAnyPackage(otherStores)
        .because("one module per remote store: an application pulls only the client it uses")
        .check(classes);
  }
}
