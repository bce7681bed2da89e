package dev.larder.integration;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.OneToMany;
import jakarta.persistence.CascadeType;
import jakarta.persistence.FetchType;
import java.util.ArrayList;
import java.util.List;
import dev.larder.configuration.LarderConfiguration;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.Duration;
import org.hibernate.SessionFactory;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;
import org.hibernate.boot.MetadataSources;
import org.hibernate.boot.registry.StandardServiceRegistry;
import org.hibernate.boot.registry.StandardServiceRegistryBuilder;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.Test;

/** Hibernate ORM 6's second-level cache (hibernate-jcache) on Larder: entity, collection and query caches. */
class HibernateSecondLevelCacheTest {

  @Entity(name = "Author")
  @Cacheable
  @Cache(usage = CacheConcurrencyStrategy.READ_WRITE)
  public static class Author {
    @Id
    Long id;
    String name;
    @OneToMany(cascade = CascadeType.ALL, fetch = FetchType.LAZY)
    @Cache(usage = CacheConcurrencyStrategy.READ_WRITE)
    List<Book> books = new ArrayList<>();

    protected Author() {
    }

    Author(Long id, String name) {
      this.id = id;
      this.name = name;
    }
  }

  @Entity(name = "Book")
  @Cacheable
  @Cache(usage = CacheConcurrencyStrategy.READ_WRITE)
  public static class Book {
    @Id
    Long id;
    String title;

    protected Book() {
    }

    Book(Long id, String title) {
      this.id = id;
      this.title = title;
    }
  }

  private static SessionFactory sessionFactory() {
    return sessionFactory(new StandardServiceRegistryBuilder());
  }

  private static SessionFactory sessionFactory(StandardServiceRegistryBuilder builder) {
    return sessionFactoryWith(builder.applySetting("hibernate.connection.url", "jdbc:h2:mem:larder;DB_CLOSE_DELAY=-1")
        .applySetting("hibernate.hbm2ddl.auto", "create-drop"));
  }

  /** Settings given by the caller (database, schema handling) win over these, which are the same for all. */
  private static SessionFactory sessionFactoryWith(StandardServiceRegistryBuilder builder) {
    StandardServiceRegistry registry = builder
        .applySetting("hibernate.connection.username", "sa")
        .applySetting("hibernate.cache.use_second_level_cache", "true")
        .applySetting("hibernate.cache.use_query_cache", "true")
        .applySetting("hibernate.cache.region.factory_class", "jcache")
        .applySetting("hibernate.javax.cache.provider", "dev.larder.spi.LarderCachingProvider")
        .applySetting("hibernate.javax.cache.missing_cache_strategy", "create")
        .applySetting("hibernate.generate_statistics", "true")
        .build();
    return new MetadataSources(registry).addAnnotatedClass(Author.class).addAnnotatedClass(Book.class)
        .buildMetadata().buildSessionFactory();
  }

  @Test
  void entitiesCollectionsAndQueriesAreServedFromLarder() {
    try (SessionFactory factory = sessionFactory()) {
      factory.inTransaction(session -> {
        Author author = new Author(1L, "Frank Herbert");
        author.books.add(new Book(10L, "Dune"));
        author.books.add(new Book(11L, "Dune Messiah"));
        session.persist(author);
      });
      Statistics statistics = factory.getStatistics();
      statistics.clear();

      factory.inSession(session -> {
        Author author = session.find(Author.class, 1L);
        assertThat(author.name).isEqualTo("Frank Herbert");
        assertThat(author.books).hasSize(2); // fills the collection cache
      });
      factory.inSession(session -> {
        Author author = session.find(Author.class, 1L);
        assertThat(author.books).extracting(book -> book.title).containsExactlyInAnyOrder("Dune", "Dune Messiah");
      });
      assertThat(statistics.getSecondLevelCacheHitCount()).as("second-level cache hits").isGreaterThanOrEqualTo(3);
      assertThat(statistics.getCollectionFetchCount()).as("collection loads from the database").isEqualTo(1);

      for (int i = 0; i < 2; i++) {
        factory.inSession(session -> assertThat(session.createQuery("select b from Book b order by b.id", Book.class)
            .setCacheable(true).getResultList()).hasSize(2));
      }
      assertThat(statistics.getQueryCacheHitCount()).isEqualTo(1);

      Iterable<String> names = Caching.getCachingProvider().getCacheManager(
          Caching.getCachingProvider().getDefaultURI(), Caching.getCachingProvider().getDefaultClassLoader()).getCacheNames();
      assertThat(names).anyMatch(name -> name.endsWith("Author"));
      String authorRegion = java.util.stream.StreamSupport.stream(names.spliterator(), false)
          .filter(name -> name.endsWith("Author")).findFirst().orElseThrow();
      Store.assertOnThisRunsStore(Caching.getCachingProvider().getCacheManager().getCache(authorRegion));
    }
    // Hibernate closes the cache manager with the SessionFactory; the next one gets a fresh manager.
    try (SessionFactory again = sessionFactory()) {
      again.inTransaction(session -> session.persist(new Book(20L, "Children of Dune")));
      again.inSession(session -> assertThat(session.find(Book.class, 20L).title).isEqualTo("Children of Dune"));
    }
  }

  @Test
  void aLarderFileNamedByHibernateBoundsTheRegionsItCreatesAndConfiguresTheOnesItDeclares() throws Exception {
    // Hibernate finds a bare resource name on the class path and hands the provider its URL
    URI file = HibernateSecondLevelCacheTest.class.getResource("/larder-hibernate.conf").toURI();
    try (SessionFactory factory = sessionFactory(new StandardServiceRegistryBuilder()
        .applySetting("hibernate.javax.cache.uri", "larder-hibernate.conf"))) {
      factory.inTransaction(session -> session.persist(new Book(30L, "The Dosadi Experiment")));
      factory.inSession(session -> assertThat(session.find(Book.class, 30L).title).isEqualTo("The Dosadi Experiment"));

      CacheManager manager = Caching.getCachingProvider().getCacheManager(file, Book.class.getClassLoader());
      List<String> regions = new ArrayList<>();
      manager.getCacheNames().forEach(regions::add);
      String bookRegion = regions.stream().filter(name -> name.endsWith("Book")).findFirst().orElseThrow();
      Store.assertOnThisRunsStore(manager.getCache(bookRegion));
      assertThat(manager.getCache(bookRegion).getConfiguration(LarderConfiguration.class).getMaximumSize())
          .as("a region created on the fly").isEqualTo(Store.expectedBound(5000));
      LarderConfiguration<?, ?> queries = manager.getCache("default-query-results-region")
          .getConfiguration(LarderConfiguration.class);
      assertThat(queries.getMaximumSize()).as("declared in the file (memcached ignores it)").isEqualTo(200);
      assertThat(queries.getExpiryPolicyFactory().create())
          .isEqualTo(new CreatedExpiryPolicy(new Duration(TimeUnit.MINUTES, 10)));
    }
  }

  @Test
  @org.junit.jupiter.api.condition.EnabledIfSystemProperty(named = "larder.store", matches = "memcached|appengine")
  void aSecondSessionFactoryOnAFreshManagerIsServedFromTheFirstOnesEntriesWithNoSql() {
    String database = "jdbc:h2:mem:larder-nodes;DB_CLOSE_DELAY=-1";
    try (SessionFactory first = sessionFactoryWith(new StandardServiceRegistryBuilder()
        .applySetting("hibernate.connection.url", database).applySetting("hibernate.hbm2ddl.auto", "create"))) {
      first.inTransaction(session -> {
        Author author = new Author(7L, "Ursula K. Le Guin");
        author.books.add(new Book(70L, "The Dispossessed"));
        session.persist(author);
      });
      first.inSession(session -> assertThat(session.find(Author.class, 7L).books).hasSize(1)); // entity, collection
      first.inSession(session -> assertThat(session.createQuery("select b from Book b where b.id = 70", Book.class)
          .setCacheable(true).getResultList()).hasSize(1)); // query
    }
    // Hibernate closed its cache manager with the factory: the next one has a fresh manager, with nothing of
    // the first in its memory, as a second node or a restart would. Everything comes from the shared store.
    try (SessionFactory second = sessionFactoryWith(new StandardServiceRegistryBuilder()
        .applySetting("hibernate.connection.url", database).applySetting("hibernate.hbm2ddl.auto", "none"))) {
      Statistics statistics = second.getStatistics();
      statistics.clear();
      second.inSession(session -> {
        Author author = session.find(Author.class, 7L);
        assertThat(author.name).isEqualTo("Ursula K. Le Guin");
        assertThat(author.books).extracting(book -> book.title).containsExactly("The Dispossessed");
      });
      second.inSession(session -> assertThat(session.createQuery("select b from Book b where b.id = 70", Book.class)
          .setCacheable(true).getResultList()).extracting(book -> book.title).containsExactly("The Dispossessed"));
      assertThat(statistics.getPrepareStatementCount()).as("SQL statements of the second factory").isZero();
      assertThat(statistics.getSecondLevelCacheHitCount()).as("entity and collection hits").isGreaterThanOrEqualTo(2);
      assertThat(statistics.getQueryCacheHitCount()).as("query cache hits").isEqualTo(1);
    }
  }
}
