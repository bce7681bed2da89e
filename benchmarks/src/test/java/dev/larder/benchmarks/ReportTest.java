package dev.larder.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report judges targets on the median of per-round ratios, and rewrites only its own sections. */
class ReportTest {

  @TempDir
  Path dir;

  /** One JMH JSON result, as JMH writes it (the fields the report reads). */
  private static String result(String benchmark, String cache, int threads, double score) {
    return """
        {
            "benchmark" : "dev.larder.benchmarks.%s",
            "mode" : "thrpt",
            "threads" : %d,
            "params" : {
                "cache" : "%s"
            },
            "primaryMetric" : {
                "score" : %s,
                "scoreError" : "NaN",
                "scoreUnit" : "ops/us",
                "rawData" : [ [ 1.0 ] ]
            }
        }""".formatted(benchmark, threads, cache, score);
  }

  private void round(int round, double larder, double core) throws IOException {
    Files.writeString(dir.resolve("round" + round + "-readwrite-t1.json"), "[" + String.join(",",
        result("ReadWriteBenchmark.get", "larder", 1, larder),
        result("ReadWriteBenchmark.get", "caffeine-core", 1, core)) + "]");
  }

  @Test
  void aTargetIsJudgedOnTheMedianOfTheRatiosWithinEachRound() throws IOException {
    // Ratios per round 0.5, 0.95, 1.0: the median 0.95 meets 0.9, though the medians of the scores
    // (20 vs 20) and the first round alone would say otherwise.
    round(1, 10, 20);
    round(2, 19, 20);
    round(3, 30, 30);
    String targets = Report.targets(Report.byCell(Report.read(dir)));
    assertThat(targets).contains("| by-reference get hit ≥ 0.9× raw Caffeine core | 1 | 3 | 0.95× (0.50–1.00) | **met** |");

    round(2, 17, 20); // 0.85: now the median
    assertThat(Report.targets(Report.byCell(Report.read(dir))))
        .contains("| by-reference get hit ≥ 0.9× raw Caffeine core | 1 | 3 | 0.85× (0.50–1.00) | not met |");
  }

  @Test
  void aCellShowsTheMedianAndTheRangeOfItsRounds() throws IOException {
    round(1, 10, 20);
    round(2, 40, 20);
    round(3, 30, 30);
    Map<Report.Cell, Map<String, Map<Integer, Double>>> cells = Report.byCell(Report.read(dir));
    Report.Cell cell = new Report.Cell("ReadWriteBenchmark.get", 1);
    assertThat(Report.table(cell, cells.get(cell), "ops/us")).contains("| larder | 30.00 | 10.00–40.00 | 3 | – |");
  }

  @Test
  void medianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
    assertThat(Report.median(List.of(4.0, 1.0, 3.0, 2.0))).isEqualTo(2.5);
    assertThat(Report.median(List.of(5.0, 1.0, 3.0))).isEqualTo(3.0);
  }

  @Test
  void thePageKeepsItsProseAndGetsEachGeneratedSection() throws IOException {
    Files.writeString(dir.resolve("outage.md"), "| outage |\n");
    String page = """
        # Title
        prose before
        <!-- BEGIN GENERATED targets -->
        old targets
        <!-- END GENERATED targets -->
        prose between
        <!-- BEGIN GENERATED file:outage.md -->
        <!-- END GENERATED file:outage.md -->
        <!-- BEGIN GENERATED file:not-rerun.md -->
        kept
        <!-- END GENERATED file:not-rerun.md -->
        """;
    String filled = Report.fill(page, Map.of("targets", "| new |"), dir);
    assertThat(filled).isEqualTo("""
        # Title
        prose before
        <!-- BEGIN GENERATED targets -->
        | new |
        <!-- END GENERATED targets -->
        prose between
        <!-- BEGIN GENERATED file:outage.md -->
        | outage |
        <!-- END GENERATED file:outage.md -->
        <!-- BEGIN GENERATED file:not-rerun.md -->
        kept
        <!-- END GENERATED file:not-rerun.md -->
        """);
    assertThatThrownBy(() -> Report.fill("<!-- BEGIN GENERATED nothing -->\n<!-- END GENERATED nothing -->", Map.of(), dir))
        .hasMessageContaining("nothing");
  }
}
