package dev.larder.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

/**
 * Turns JMH JSON results (and the hit-ratio CSV) into Markdown tables with ratios to Caffeine JCache,
 * and PNG bar charts drawn with XChart.
 *
 * <p>Usage: {@code Report OUTPUT_DIR HIT_RATIO_CSV JMH_JSON...}: writes {@code OUTPUT_DIR/*.png} and
 * prints the Markdown.
 */
public final class Report {

  private static final Pattern FIELD = Pattern.compile("\"(benchmark|threads|scoreUnit)\"\\s*:\\s*\"?([^\",}]+)\"?");
  private static final Pattern PARAMS = Pattern.compile("\"params\"\\s*:\\s*\\{([^}]*)}");
  private static final Pattern PARAM = Pattern.compile("\"([^\"]+)\"\\s*:\\s*\"([^\"]*)\"");
  private static final Pattern SCORE = Pattern.compile(
      "\"primaryMetric\"\\s*:\\s*\\{\\s*\"score\"\\s*:\\s*([0-9.Ee+-]+)\\s*,\\s*\"scoreError\"\\s*:\\s*\"?([0-9.Ee+-]+|NaN)\"?");

  private Report() {
  }

  record Result(String benchmark, int threads, String cache, double score, double error, String unit, String run) {}

  public static void main(String[] args) throws IOException {
    Path outputDir = Path.of(args[0]);
    Files.createDirectories(outputDir);
    List<Result> results = new ArrayList<>();
    for (int i = 2; i < args.length; i++) {
      String run = Path.of(args[i]).getFileName().toString().replace(".json", "");
      for (String object : topLevelObjects(Files.readString(Path.of(args[i])))) {
        results.add(parse(object, run));
      }
    }
    // benchmark + threads -> run -> cache -> result
    Map<String, Map<String, Map<String, Result>>> grouped = new LinkedHashMap<>();
    for (Result result : results) {
      grouped.computeIfAbsent(result.benchmark() + ", " + result.threads() + (result.threads() == 1 ? " thread" : " threads"),
          k -> new LinkedHashMap<>()).computeIfAbsent(result.run(), k -> new LinkedHashMap<>()).put(result.cache(), result);
    }
    for (Map.Entry<String, Map<String, Map<String, Result>>> group : grouped.entrySet()) {
      System.out.println("### " + group.getKey());
      System.out.println();
      List<String> runs = new ArrayList<>(group.getValue().keySet());
      StringBuilder header = new StringBuilder("| cache |");
      StringBuilder rule = new StringBuilder("| --- |");
      for (String run : runs) {
        String unit = group.getValue().get(run).values().iterator().next().unit();
        header.append(" ").append(run).append(" (").append(unit).append(") | ratio |");
        rule.append(" ---: | ---: |");
      }
      System.out.println(header);
      System.out.println(rule);
      List<String> caches = new ArrayList<>();
      group.getValue().values().forEach(r -> r.keySet().stream().filter(c -> !caches.contains(c)).forEach(caches::add));
      for (String cache : caches) {
        StringBuilder row = new StringBuilder("| " + cache + " |");
        for (String run : runs) {
          Result result = group.getValue().get(run).get(cache);
          Map<String, Result> inRun = group.getValue().get(run);
          Result caffeine = inRun.containsKey(Caches.CAFFEINE) ? inRun.get(Caches.CAFFEINE) : inRun.get("spymemcached");
          row.append(result == null ? " – | – |" : String.format(Locale.ROOT, " %.2f ± %.2f | %s |", result.score(),
              result.error(), caffeine == null ? "–" : String.format(Locale.ROOT, "%.2f×", result.score() / caffeine.score())));
        }
        System.out.println(row);
      }
      System.out.println();
      chart(outputDir, group.getKey(), group.getValue());
    }
    if (args.length > 1 && Files.exists(Path.of(args[1]))) {
      hitRatios(outputDir, Path.of(args[1]));
    }
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

  /** One result: the category is the {@code cache} or {@code client} parameter, other parameters join the title. */
  static Result parse(String object, String run) {
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
    String category = params.containsKey("cache") ? params.remove("cache") : params.remove("client");
    StringBuilder benchmark = new StringBuilder(fields.get("benchmark").replace("dev.larder.benchmarks.", ""));
    params.forEach((name, value) -> benchmark.append(", ").append(name).append('=').append(value));
    Matcher score = SCORE.matcher(object);
    if (!score.find()) {
      throw new IllegalArgumentException("No score in " + object);
    }
    double error = score.group(2).equals("NaN") ? Double.NaN : Double.parseDouble(score.group(2));
    return new Result(benchmark.toString(), Integer.parseInt(fields.get("threads")), category,
        Double.parseDouble(score.group(1)), error, fields.get("scoreUnit"), run);
  }

  private static void chart(Path outputDir, String title, Map<String, Map<String, Result>> runs) throws IOException {
    String unit = runs.values().iterator().next().values().iterator().next().unit();
    CategoryChart chart = new CategoryChartBuilder().width(900).height(420).title(title)
        .xAxisTitle("cache").yAxisTitle(unit).build();
    chart.getStyler().setLegendVisible(runs.size() > 1);
    // Every series needs the same categories: a cache missing from a run (a failed fork) plots as 0.
    List<String> caches = new ArrayList<>();
    runs.values().forEach(results -> results.keySet().stream().filter(c -> !caches.contains(c)).forEach(caches::add));
    for (Map.Entry<String, Map<String, Result>> run : runs.entrySet()) {
      List<Double> scores = caches.stream()
          .map(cache -> run.getValue().containsKey(cache) ? run.getValue().get(cache).score() : 0.0).toList();
      chart.addSeries(run.getKey(), caches, scores);
    }
    String file = title.replaceAll("[^A-Za-z0-9]+", "-").replaceAll("-+$", "").toLowerCase(Locale.ROOT);
    BitmapEncoder.saveBitmap(chart, outputDir.resolve(file).toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  private static void hitRatios(Path outputDir, Path csv) throws IOException {
    Map<String, Map<String, Double>> byTrace = new LinkedHashMap<>();
    for (String line : Files.readAllLines(csv).subList(1, Files.readAllLines(csv).size())) {
      String[] fields = line.split(",", -1);
      byTrace.computeIfAbsent(fields[0], k -> new LinkedHashMap<>()).put(fields[1], Double.parseDouble(fields[2]));
    }
    System.out.println("### Hit ratio, capacity " + HitRatio.CAPACITY + ", Zipf 0.9 over " + HitRatio.ITEMS
        + " keys, " + HitRatio.ACCESSES + " accesses");
    System.out.println();
    List<String> traces = new ArrayList<>(byTrace.keySet());
    System.out.println("| cache | " + String.join(" | ", traces) + " |");
    System.out.println("| --- |" + " ---: |".repeat(traces.size()));
    CategoryChart chart = new CategoryChartBuilder().width(900).height(420).title("Hit ratio (capacity 1000)")
        .xAxisTitle("cache").yAxisTitle("hit ratio %").build();
    for (String cache : byTrace.get(traces.get(0)).keySet()) {
      StringBuilder row = new StringBuilder("| " + cache + " |");
      for (String trace : traces) {
        row.append(String.format(Locale.ROOT, " %.2f%% |", byTrace.get(trace).get(cache) * 100));
      }
      System.out.println(row);
    }
    for (String trace : traces) {
      List<String> caches = new ArrayList<>(byTrace.get(trace).keySet());
      chart.addSeries(trace, caches, caches.stream().map(cache -> byTrace.get(trace).get(cache) * 100).toList());
    }
    BitmapEncoder.saveBitmap(chart, outputDir.resolve("hit-ratio").toString(), BitmapEncoder.BitmapFormat.PNG);
    System.out.println();
  }
}
