package dev.larder.management;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import javax.cache.CacheException;
import javax.cache.configuration.MutableConfiguration;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

/** The counters, their switch and averages; the MXBeans' names and registration. */
class CacheStatisticsTest {

  @Test
  void nothingIsCountedWhileSwitchedOffAndWhatWasCountedStays() {
    CacheStatistics statistics = new CacheStatistics();
    assertThat(statistics.startTimer()).isZero();
    assertThat(statistics.startSampledTimer()).isZero();
    statistics.recordGet(true, 0);
    statistics.recordGets(3, 4, 0);
    statistics.recordHitOrMiss(false);
    statistics.recordPuts(2, 0);
    statistics.recordRemovals(2, 0);
    statistics.recordEviction();
    assertThat(new long[] {statistics.getCacheHits(), statistics.getCacheMisses(), statistics.getCachePuts(),
        statistics.getCacheRemovals(), statistics.getCacheEvictions()}).containsOnly(0L);

    statistics.setEnabled(true);
    assertThat(statistics.isEnabled()).isTrue();
    statistics.recordGet(true, 0);
    statistics.setEnabled(false);
    statistics.recordGet(true, 0);
    assertThat(statistics.getCacheHits()).isEqualTo(1);
  }

  @Test
  void countsAndPercentages() {
    CacheStatistics statistics = new CacheStatistics();
    statistics.setEnabled(true);
    statistics.recordGet(true, 0);
    statistics.recordGets(2, 1, 0);
    statistics.recordHitOrMiss(false);
    statistics.recordPuts(3, 0);
    statistics.recordPuts(0, 0);
    statistics.recordRemovals(2, 0);
    statistics.recordEviction();
    statistics.recordEviction();
    assertThat(statistics.getCacheHits()).isEqualTo(3);
    assertThat(statistics.getCacheMisses()).isEqualTo(2);
    assertThat(statistics.getCacheGets()).isEqualTo(5);
    assertThat(statistics.getCacheHitPercentage()).isCloseTo(60f, org.assertj.core.data.Offset.offset(0.001f));
    assertThat(statistics.getCacheMissPercentage()).isCloseTo(40f, org.assertj.core.data.Offset.offset(0.001f));
    assertThat(statistics.getCachePuts()).isEqualTo(3);
    assertThat(statistics.getCacheRemovals()).isEqualTo(2);
    assertThat(statistics.getCacheEvictions()).isEqualTo(2);

    statistics.clear();
    assertThat(new long[] {statistics.getCacheHits(), statistics.getCacheMisses(), statistics.getCachePuts(),
        statistics.getCacheRemovals(), statistics.getCacheEvictions()}).containsOnly(0L);
    assertThat(statistics.getCacheHitPercentage()).as("no gets: 0, not NaN").isZero();
    assertThat(statistics.getCacheMissPercentage()).isZero();
    assertThat(statistics.getAverageGetTime()).isZero();
    assertThat(statistics.getAveragePutTime()).isZero();
    assertThat(statistics.getAverageRemoveTime()).isZero();
  }

  @Test
  void averagesAreTheTimedOperationsTimeOverTheirCountInMicroseconds() {
    CacheStatistics statistics = new CacheStatistics();
    statistics.setEnabled(true);
    assertThat(statistics.startTimer()).isPositive();
    // started 20 ms ago: the averages time from the start they are given, with no sleep
    long start = statistics.startTimer() - TimeUnit.MILLISECONDS.toNanos(20);
    statistics.recordPuts(2, start);
    statistics.recordRemovals(1, start);
    statistics.recordGets(1, 3, start);
    // 2 puts over >= 20 ms: >= 10,000 us each; 1 removal >= 20,000 us; 4 gets >= 5,000 us each
    assertThat(statistics.getAveragePutTime()).isBetween(10_000f, 5_000_000f);
    assertThat(statistics.getAverageRemoveTime()).isBetween(20_000f, 10_000_000f);
    assertThat(statistics.getAverageGetTime()).isBetween(5_000f, 2_500_000f);
    float putAverage = statistics.getAveragePutTime();
    statistics.recordPuts(2, 0); // counted, not timed
    assertThat(statistics.getAveragePutTime()).as("untimed puts lower the average").isLessThan(putAverage);
  }

  /** A get that took {@code micros} (and the little this call adds), if the statistics time it. */
  private static boolean get(CacheStatistics statistics, boolean hit, long micros) {
    long start = statistics.startSampledTimer();
    statistics.recordGet(hit, start == 0 ? 0 : start - TimeUnit.MICROSECONDS.toNanos(micros));
    return start != 0;
  }

  @Test
  void everySingleGetOfTheWarmUpIsTimedThenAboutOneInTheSample() {
    CacheStatistics statistics = new CacheStatistics();
    statistics.setEnabled(true);
    for (int i = 0; i < CacheStatistics.WARM_UP; i++) {
      assertThat(get(statistics, true, 0)).as("warm-up get %d", i).isTrue();
    }
    int timed = 0;
    int sampleGets = CacheStatistics.SAMPLE * 400;
    for (int i = 0; i < sampleGets; i++) {
      timed += get(statistics, i % 2 == 0, 0) ? 1 : 0;
    }
    assertThat(timed).as("expected 400, 5 standard deviations either side").isBetween(300, 500);
    assertThat(statistics.getCacheHits()).isEqualTo(CacheStatistics.WARM_UP + sampleGets / 2);
    assertThat(statistics.getCacheMisses()).isEqualTo(sampleGets / 2);

    statistics.clear();
    assertThat(get(statistics, true, 0)).as("clear starts the warm-up again").isTrue();
  }

  @Test
  void theAverageWeighsTheSampleByTheGetsItStandsFor() {
    CacheStatistics statistics = new CacheStatistics();
    statistics.setEnabled(true);
    for (int i = 0; i < 10; i++) {
      get(statistics, true, 500);
    }
    // a young cache: every get timed
    assertThat(statistics.getAverageGetTime()).isBetween(500f, 600f);
    for (int i = 10; i < CacheStatistics.WARM_UP; i++) {
      get(statistics, true, 1_000);
    }
    int sampleGets = CacheStatistics.SAMPLE * 100;
    for (int i = 0; i < sampleGets; i++) {
      get(statistics, false, 3_000);
    }
    statistics.recordHitOrMiss(true); // the read of a write: not a get that took time
    // 10 at 500, 1,014 at 1,000 and 102,400 at 3,000 (about 100 of them timed): 2,980 on average;
    // the mean of what was timed would be about 1,180
    float expected = (10 * 500f + 1_014 * 1_000f + sampleGets * 3_000f) / (CacheStatistics.WARM_UP + sampleGets);
    assertThat(statistics.getAverageGetTime()).isBetween(expected, expected + 100f);

    long start = statistics.startTimer();
    statistics.recordGets(2, 0, start - TimeUnit.MICROSECONDS.toNanos(2 * 3_000)); // 2 gets, 3,000 each
    assertThat(statistics.getAverageGetTime()).as("bulk gets are timed exactly").isBetween(expected, expected + 100f);
  }

  @Test
  void theReadsOfWritesAreCountedButNotAveragedAsGets() {
    CacheStatistics statistics = new CacheStatistics();
    statistics.setEnabled(true);
    for (int i = 0; i < CacheStatistics.WARM_UP; i++) {
      get(statistics, true, 10_000);
    }
    int sampleGets = CacheStatistics.SAMPLE * 50; // about 50 timed: none with a chance of e^-50
    for (int i = 0; i < sampleGets; i++) {
      get(statistics, true, 10);
    }
    for (int i = 0; i < 500_000; i++) {
      statistics.recordHitOrMiss(false);
    }
    assertThat(statistics.getCacheMisses()).isEqualTo(500_000);
    // 1,024 at 10,000 and 51,200 at 10: 206 on average; taken as gets at the sample's mean, the
    // reads would bring it to 28
    float expected = (CacheStatistics.WARM_UP * 10_000f + sampleGets * 10f) / (CacheStatistics.WARM_UP + sampleGets);
    assertThat(statistics.getAverageGetTime()).isBetween(expected, expected + 20f);
  }

  @Test
  void mxBeanNamesReplaceWhatJmxReservesAndRegistrationReplacesAnEarlierBean() throws Exception {
    ObjectName name = MBeans.objectName(URI.create("urn:a,b=c"), "region:*?\"\n", MBeans.Kind.CacheStatistics);
    assertThat(name.getCanonicalName())
        .isEqualTo("javax.cache:Cache=region.....,CacheManager=urn.a.b.c,type=CacheStatistics");
    assertThat(MBeans.objectName("dev.larder", "T", null, "c").getKeyProperty("CacheManager")).isEmpty();

    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    CacheStatistics first = new CacheStatistics();
    CacheStatistics second = new CacheStatistics();
    second.setEnabled(true);
    second.recordPuts(7, 0);
    try {
      MBeans.register(first, name);
      MBeans.register(second, name);
      assertThat(server.getAttribute(name, "CachePuts")).as("the second bean").isEqualTo(7L);
    } finally {
      MBeans.unregister(name);
    }
    assertThat(server.isRegistered(name)).isFalse();
    MBeans.unregister(name); // absent: nothing to do
    assertThatThrownBy(() -> MBeans.register(new Object(), name)).isInstanceOf(CacheException.class)
        .hasMessageContaining(name.toString());
  }

  @Test
  void theConfigurationBeanIsALiveViewOfTheConfiguration() {
    MutableConfiguration<String, Integer> configuration = new MutableConfiguration<String, Integer>()
        .setTypes(String.class, Integer.class);
    CacheConfigurationBean bean = new CacheConfigurationBean(configuration);
    assertThat(bean.getKeyType()).isEqualTo("java.lang.String");
    assertThat(bean.getValueType()).isEqualTo("java.lang.Integer");
    assertThat(new boolean[] {bean.isReadThrough(), bean.isWriteThrough(), bean.isStatisticsEnabled(),
        bean.isManagementEnabled()}).containsOnly(false);
    assertThat(bean.isStoreByValue()).isTrue();
    configuration.setReadThrough(true).setWriteThrough(true).setStatisticsEnabled(true)
        .setManagementEnabled(true).setStoreByValue(false);
    assertThat(new boolean[] {bean.isReadThrough(), bean.isWriteThrough(), bean.isStatisticsEnabled(),
        bean.isManagementEnabled()}).containsOnly(true);
    assertThat(bean.isStoreByValue()).isFalse();
  }
}
