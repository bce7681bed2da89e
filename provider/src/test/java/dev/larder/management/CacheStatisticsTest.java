package dev.larder.management;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.net.URI;
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
  void averagesAreTheTimedOperationsTimeOverTheirCountInMicroseconds() throws InterruptedException {
    CacheStatistics statistics = new CacheStatistics();
    statistics.setEnabled(true);
    long start = statistics.startTimer();
    assertThat(start).isPositive();
    Thread.sleep(20); // a measurable duration of real time: what the averages report is real time
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

  @Test
  void aSampledSingleGetIsTimedAboutOnceInThirtyTwo() {
    CacheStatistics statistics = new CacheStatistics();
    statistics.setEnabled(true);
    int timed = 0;
    for (int i = 0; i < 32_000; i++) {
      long start = statistics.startSampledTimer();
      timed += start != 0 ? 1 : 0;
      statistics.recordGet(i % 2 == 0, start);
    }
    assertThat(timed).isBetween(700, 1_300);
    assertThat(statistics.getCacheHits()).isEqualTo(16_000);
    assertThat(statistics.getCacheMisses()).isEqualTo(16_000);
    assertThat(statistics.getAverageGetTime()).isPositive();
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
