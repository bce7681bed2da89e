package dev.larder.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

/**
 * Turns the rounds of JMH results (one JSON file per round and group, {@code round<N>-<group>-t<threads>.json},
 * each fork of a round one peer) and the hit-ratio CSV into the targets table, one table per cell with
 * the median of the rounds and their spread, and PNG charts of the medians (XChart).
 *
 * <p>A ratio is taken within each round (the peers of one round ran minutes apart, under the same
 * noise) and the median of those per-round ratios is reported with its range: a target is met when that
 * median reaches it.
 *
 * <p>Usage: {@code Report RESULTS_DIR [PAGE.md]}: writes {@code RESULTS_DIR/*.png} and
 * {@code RESULTS_DIR/tables.md}, prints the targets table, and with a page rewrites what lies between its
 * {@code <!-- BEGIN GENERATED name -->} and {@code <!-- END GENERATED name -->} markers: {@code targets},
 * {@code tables}, and {@code file:NAME} for a file of the results directory.
 */
public final class Report {

  private static final Pattern FIELD = Pattern.compile("\"(benchmark|threads|scoreUnit)\"\\s*:\\s*\"?([^\",}]+)\"?");
  private static final Pattern PARAMS = Pattern.compile("\"params\"\\s*:\\s*\\{([^}]*)}");
  private static final Pattern PARAM = Pattern.compile("\"([^\"]+)\"\\s*:\\s*\"([^\"]*)\"");
  private static final Pattern SCORE = Pattern.compile("\"primaryMetric\"\\s*:\\s*\\{\\s*\"score\"\\s*:\\s*([0-9.Ee+-]+)");
  private static final Pattern ROUND = Pattern.compile("round(\\d+)-");
  private static final Pattern GENERATED = Pattern.compile(
      "(<!-- BEGIN GENERATED ([^ ]+) -->\\n)(.*?)(<!-- END GENERATED \\2 -->)", Pattern.DOTALL);

  /** The peers a cell's ratio column compares with, the first one present. */
  private static final List<String> REFERENCES = List.of(Caches.CAFFEINE, "spymemcached", "memcacheservice");

  private Report() {
  }

  /** One fork's score: a benchmark (with its parameters other than the peer's), a thread count, a peer, a round. */
  record Result(String benchmark, int threads, String cache, double score, String unit, int round) {}

  /** A benchmark at a thread count: what a table shows. */
  record Cell(String benchmark, int threads) {
    String title() {
      return benchmark + ", " + threads + (threads == 1 ? " thread" : " threads");
    }
  }

  /**
   * What a target asks: {@code cache} in {@code benchmark} at least {@code atLeast} times the best of the
   * {@code peers} in the same round, each peer a cache of {@code peerBenchmark}.
   */
  record Target(String label, String benchmark, String cache, String peerBenchmark, List<String> peers, double atLeast) {
    static Target of(String label, String benchmark, double atLeast, String... peers) {
      return new Target(label, benchmark, Caches.LARDER, benchmark, List.of(peers), atLeast);
    }
  }

  /** The targets of issue 14, judged at every thread count the results hold. */
  static final List<Target> TARGETS = List.of(
      Target.of("by-reference get hit ≥ 0.9× raw Caffeine core", "ReadWriteBenchmark.get", 0.9, Caches.CAFFEINE_CORE),
      Target.of("by-reference get hit ≥ 1.8× Caffeine JCache", "ReadWriteBenchmark.get", 1.8, Caches.CAFFEINE),
      Target.of("get with expiry + statistics ≥ 1.2× cache2k", "ExpiryStatisticsBenchmark.get", 1.2, Caches.CACHE2K),
      Target.of("store-by-value get ≥ 10× the best peer that copies", "StoreByValueBenchmark.get", 10,
          Caches.CAFFEINE, Caches.CACHE2K, Caches.EHCACHE, Caches.RI),
      new Target("store-by-value get of an immutable value ≥ 0.5× Larder's by-reference get",
          "StoreByValueBenchmark.getImmutable", Caches.LARDER, "ReadWriteBenchmark.get", List.of(Caches.LARDER), 0.5),
      Target.of("put ≥ 1.5× Caffeine JCache", "ReadWriteBenchmark.put", 1.5, Caches.CAFFEINE),
      Target.of("mixed 75/25 ≥ 1.5× Caffeine JCache", "ReadWriteBenchmark.mixed", 1.5, Caches.CAFFEINE),
      Target.of("memcached get ≥ 1.0× spymemcached (3 servers)", "MemcachedBenchmark.get, servers=3", 1.0, "spymemcached"),
      Target.of("memcached set ≥ 1.0× spymemcached (3 servers)", "MemcachedBenchmark.set, servers=3", 1.0, "spymemcached"),
      Target.of("memcached getAll(100) ≥ 1.0× spymemcached (3 servers)", "MemcachedBenchmark.getAll, servers=3", 1.0,
          "spymemcached"));

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args[0]);
    List<Result> results = read(dir);
    Map<Cell, Map<String, Map<Integer, Double>>> cells = byCell(results);
    Map<String, String> generated = new LinkedHashMap<>();
    StringBuilder targets = new StringBuilder(targets(cells));
    Path hitRatios = dir.resolve("hit-ratio.csv");
    StringBuilder tables = new StringBuilder();
    List<String> charts = new ArrayList<>();
    for (Map.Entry<Cell, Map<String, Map<Integer, Double>>> cell : cells.entrySet()) {
      tables.append(table(cell.getKey(), cell.getValue(), units(results, cell.getKey()))).append('\n');
      charts.add(chart(dir, cell.getKey(), cell.getValue(), units(results, cell.getKey())));
    }
    if (Files.exists(hitRatios)) {
      HitRatios ratios = HitRatios.read(hitRatios);
      targets.append(ratios.targetRows());
      tables.append(ratios.table());
      charts.add(ratios.chart(dir));
    }
    generated.put("targets", targets.toString());
    generated.put("tables", tables.toString());
    Files.writeString(dir.resolve("tables.md"), tables.toString());
    System.out.print(targets);
    if (args.length > 1) {
      Path page = Path.of(args[1]);
      Path parent = page.toAbsolutePath().getParent();
      String prefix = parent.relativize(dir.toAbsolutePath()).toString();
      StringBuilder images = new StringBuilder();
      charts.forEach(file -> images.append("![").append(file).append("](")
          .append(prefix.isEmpty() ? "" : prefix + "/").append(file).append(".png)\n"));
      generated.put("charts", images.toString());
      Files.writeString(page, fill(Files.readString(page), generated, dir));
    }
  }

  static List<Result> read(Path dir) throws IOException {
    List<Result> results = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> listing = Files.list(dir)) {
      files = listing.filter(p -> p.getFileName().toString().matches("round\\d+-.*\\.json")).sorted().toList();
    }
    for (Path file : files) {
      Matcher round = ROUND.matcher(file.getFileName().toString());
      if (!round.find()) {
        throw new IllegalArgumentException("Not a round's results: " + file);
      }
      for (String object : topLevelObjects(Files.readString(file))) {
        results.add(parse(object, Integer.parseInt(round.group(1))));
      }
    }
    if (results.isEmpty()) {
      throw new IllegalArgumentException("No round<N>-*.json results in " + dir);
    }
    return results;
  }

  /** cell → peer → round → score, cells and peers in the order first met. */
  static Map<Cell, Map<String, Map<Integer, Double>>> byCell(List<Result> results) {
    Map<Cell, Map<String, Map<Integer, Double>>> cells = new LinkedHashMap<>();
    for (Result result : results) {
      cells.computeIfAbsent(new Cell(result.benchmark(), result.threads()), k -> new LinkedHashMap<>())
          .computeIfAbsent(result.cache(), k -> new TreeMap<>()).put(result.round(), result.score());
    }
    return cells;
  }

  private static String units(List<Result> results, Cell cell) {
    return results.stream().filter(r -> new Cell(r.benchmark(), r.threads()).equals(cell)).findFirst()
        .map(Result::unit).orElse("");
  }

  /** The targets table: per target and thread count, the median of the per-round ratios and their range. */
  static String targets(Map<Cell, Map<String, Map<Integer, Double>>> cells) {
    StringBuilder out = new StringBuilder("| target | threads | rounds | ratio, median (range) | met? |\n| --- | ---: | ---: | ---: | --- |\n");
    for (Target target : TARGETS) {
      List<Integer> threadCounts = cells.keySet().stream().filter(c -> c.benchmark().equals(target.benchmark()))
          .map(Cell::threads).distinct().sorted().toList();
      for (int threads : threadCounts) {
        Map<Integer, Double> ours = cells.get(new Cell(target.benchmark(), threads)).getOrDefault(target.cache(), Map.of());
        Map<String, Map<Integer, Double>> peers = cells.getOrDefault(new Cell(target.peerBenchmark(), threads), Map.of());
        List<Double> ratios = new ArrayList<>();
        for (Map.Entry<Integer, Double> round : ours.entrySet()) {
          double best = target.peers().stream().map(peers::get).filter(p -> p != null && p.containsKey(round.getKey()))
              .mapToDouble(p -> p.get(round.getKey())).max().orElse(Double.NaN);
          if (!Double.isNaN(best)) {
            ratios.add(round.getValue() / best);
          }
        }
        if (ratios.isEmpty()) {
          continue; // the peers were not run at this thread count
        }
        double median = median(ratios);
        out.append(String.format(Locale.ROOT, "| %s | %d | %d | %.2f× (%.2f–%.2f) | %s |%n", target.label(), threads,
            ratios.size(), median, min(ratios), max(ratios), median >= target.atLeast() ? "**met**" : "not met"));
      }
    }
    return out.toString();
  }

  /** One cell: each peer's median over the rounds, its range, and the median of its per-round ratios to the reference. */
  static String table(Cell cell, Map<String, Map<Integer, Double>> peers, String unit) {
    String reference = REFERENCES.stream().filter(peers::containsKey).findFirst().orElse(null);
    StringBuilder out = new StringBuilder("#### " + cell.title() + "\n\n");
    out.append("| peer | median (").append(unit).append(") | range | rounds | ratio to ")
        .append(reference == null ? "–" : reference).append(", median |\n| --- | ---: | ---: | ---: | ---: |\n");
    for (Map.Entry<String, Map<Integer, Double>> peer : peers.entrySet()) {
      Collection<Double> scores = peer.getValue().values();
      String ratio = "–";
      if (reference != null) {
        List<Double> ratios = new ArrayList<>();
        peer.getValue().forEach((round, score) -> {
          Double theirs = peers.get(reference).get(round);
          if (theirs != null) {
            ratios.add(score / theirs);
          }
        });
        ratio = ratios.isEmpty() ? "–" : String.format(Locale.ROOT, "%.2f×", median(ratios));
      }
      out.append(String.format(Locale.ROOT, "| %s | %s | %s–%s | %d | %s |%n", peer.getKey(), number(median(scores)),
          number(min(scores)), number(max(scores)), scores.size(), ratio));
    }
    return out.toString();
  }

  private static String number(double value) {
    return String.format(Locale.ROOT, value >= 100 ? "%,.0f" : "%.2f", value);
  }

  static double median(Collection<Double> values) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int middle = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  }

  private static double min(Collection<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
  }

  private static double max(Collection<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
  }

  /** The page with each generated section replaced; a section naming {@code file:X} gets the results' file X. */
  static String fill(String page, Map<String, String> generated, Path dir) throws IOException {
    Matcher section = GENERATED.matcher(page);
    StringBuilder out = new StringBuilder();
    while (section.find()) {
      String name = section.group(2);
      String content;
      if (name.startsWith("file:")) {
        Path file = dir.resolve(name.substring("file:".length()));
        content = Files.exists(file) ? Files.readString(file) : section.group(3); // not rerun: keep what was there
      } else if (generated.containsKey(name)) {
        content = generated.get(name);
      } else {
        throw new IllegalArgumentException("The page asks for a generated section " + name + " that the report has not");
      }
      String body = content.endsWith("\n") ? content : content + "\n";
      section.appendReplacement(out, Matcher.quoteReplacement(section.group(1) + body + section.group(4)));
    }
    section.appendTail(out);
    return out.toString();
  }

  /** The objects of JMH's JSON array, each one benchmark result. */
  static List<String> topLevelObjects(String json) {
    List<String> objects = new ArrayList<>();
    int depth = 0;
    int start = -1;
    boolean inString = false;
    for (int i = 0; i < json.length(); i++) {
      char c = json.charAt(i);
      if (c == '"' && json.charAt(i - 1) != '\\') {
        inString = !inString;
      } else if (!inString && c == '{') {
        if (depth++ == 0) {
          start = i;
        }
      } else if (!inString && c == '}') {
        if (--depth == 0) {
          objects.add(json.substring(start, i + 1));
        }
      }
    }
    return objects;
  }

  /** One result: the peer is the {@code cache} or {@code client} parameter, other parameters join the benchmark. */
  static Result parse(String object, int round) {
    Map<String, String> fields = new LinkedHashMap<>();
    Matcher field = FIELD.matcher(object);
    while (field.find()) {
      fields.putIfAbsent(field.group(1), field.group(2).trim());
    }
    Map<String, String> params = new LinkedHashMap<>();
    Matcher paramsBlock = PARAMS.matcher(object);
    if (paramsBlock.find()) {
      Matcher param = PARAM.matcher(paramsBlock.group(1));
      while (param.find()) {
        params.put(param.group(1), param.group(2));
      }
    }
    String peer = params.containsKey("cache") ? params.remove("cache") : params.remove("client");
    StringBuilder benchmark = new StringBuilder(fields.get("benchmark").replace("dev.larder.benchmarks.", ""));
    params.forEach((name, value) -> benchmark.append(", ").append(name).append('=').append(value));
    Matcher score = SCORE.matcher(object);
    if (!score.find()) {
      throw new IllegalArgumentException("No score in " + object);
    }
    return new Result(benchmark.toString(), Integer.parseInt(fields.get("threads")), peer,
        Double.parseDouble(score.group(1)), fields.get("scoreUnit"), round);
  }

  /** Draws the cell's medians; returns the chart's file name, without {@code .png}. */
  private static String chart(Path dir, Cell cell, Map<String, Map<Integer, Double>> peers, String unit) throws IOException {
    CategoryChart chart = new CategoryChartBuilder().width(900).height(420).title(cell.title() + " (median of rounds)")
        .xAxisTitle("cache").yAxisTitle(unit).build();
    chart.getStyler().setLegendVisible(false);
    List<String> names = new ArrayList<>(peers.keySet());
    chart.addSeries("median", names, names.stream().map(name -> median(peers.get(name).values())).toList());
    String file = fileName(cell.title());
    BitmapEncoder.saveBitmap(chart, dir.resolve(file).toString(), BitmapEncoder.BitmapFormat.PNG);
    return file;
  }

  static String fileName(String title) {
    return title.replaceAll("[^A-Za-z0-9]+", "-").replaceAll("-+$", "").toLowerCase(Locale.ROOT);
  }

  /** The hit-ratio simulation's results: trace and capacity → cache → hit ratio (Zipf traces: the mean over the seeds). */
  record HitRatios(Map<String, Map<String, Double>> byTrace) {

    static HitRatios read(Path csv) throws IOException {
      Map<String, Map<String, Double>> byTrace = new LinkedHashMap<>();
      List<String> lines = Files.readAllLines(csv);
      for (String line : lines.subList(1, lines.size())) {
        String[] fields = line.split(",", -1);
        byTrace.computeIfAbsent(fields[0] + ", capacity " + fields[1], k -> new LinkedHashMap<>())
            .put(fields[2], Double.parseDouble(fields[3]));
      }
      return new HitRatios(byTrace);
    }

    /** Larder against cache2k, the best peer of the earlier runs, per trace and capacity. */
    String targetRows() {
      StringBuilder out = new StringBuilder();
      byTrace.forEach((trace, caches) -> out.append(String.format(Locale.ROOT,
          "| hit ratio ≥ cache2k: %s | 1 | %s | %.2f%% vs %.2f%% | %s |%n", trace,
          trace.startsWith("loop") ? "1" : HitRatio.SEEDS.length + " seeds", caches.get(Caches.LARDER) * 100,
          caches.get(Caches.CACHE2K) * 100, caches.get(Caches.LARDER) >= caches.get(Caches.CACHE2K) ? "**met**" : "not met")));
      return out.toString();
    }

    String table() {
      StringBuilder out = new StringBuilder("#### Hit ratio (\"get; on a miss, put\"), " + HitRatio.ACCESSES
          + " accesses over " + HitRatio.ITEMS + " keys, Zipf traces the mean over " + HitRatio.SEEDS.length
          + " seeds\n\n");
      List<String> traces = new ArrayList<>(byTrace.keySet());
      out.append("| cache | ").append(String.join(" | ", traces)).append(" |\n| --- |")
          .append(" ---: |".repeat(traces.size())).append('\n');
      for (String cache : byTrace.get(traces.get(0)).keySet()) {
        out.append("| ").append(cache).append(" |");
        for (String trace : traces) {
          out.append(String.format(Locale.ROOT, " %.2f%% |", byTrace.get(trace).get(cache) * 100));
        }
        out.append('\n');
      }
      return out.append('\n').toString();
    }

    String chart(Path dir) throws IOException {
      CategoryChart chart = new CategoryChartBuilder().width(1100).height(460).title("Hit ratio")
          .xAxisTitle("cache").yAxisTitle("hit ratio %").build();
      for (Map.Entry<String, Map<String, Double>> trace : byTrace.entrySet()) {
        List<String> caches = new ArrayList<>(trace.getValue().keySet());
        chart.addSeries(trace.getKey(), caches, caches.stream().map(c -> trace.getValue().get(c) * 100).toList());
      }
      BitmapEncoder.saveBitmap(chart, dir.resolve("hit-ratio").toString(), BitmapEncoder.BitmapFormat.PNG);
      return "hit-ratio";
    }
  }
}
