package dev.larder.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.larder.LarderCache;
import dev.larder.configuration.LarderConfiguration;
import dev.larder.memcached.MemcachedSettings;
import dev.larder.memcached.MemcachedStoreFactory;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalTime;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.management.ObjectName;

/**
 * The main job: a web service with a slow endpoint, cached the classic way: "get it; if absent,
 * compute it and keep it for a while".
 *
 * <pre>
 * java -jar examples/target/larder-demo.jar                     # scripted requests, then exit
 * java -jar examples/target/larder-demo.jar --serve             # keep serving on http://127.0.0.1:8080
 * java -jar examples/target/larder-demo.jar --memcached 127.0.0.1:11211,127.0.0.1:11212
 * java -jar examples/target/larder-demo.jar --ttl 300           # keep reports five minutes
 * </pre>
 */
public final class SlowReportDemo {

  private static final Duration SLOW = Duration.ofMillis(400);

  private final LarderCache<String, String> reports;
  private final Duration timeout;
  private final String statisticsName;

  private SlowReportDemo(LarderCache<String, String> reports, Duration timeout, String statisticsName) {
    this.reports = reports;
    this.timeout = timeout;
    this.statisticsName = statisticsName;
  }

  public static void main(String[] args) throws Exception {
    boolean serve = false;
    String memcached = null;
    Duration timeout = Duration.ofSeconds(2);
    int port = 0;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--serve" -> {
          serve = true;
          port = 8080;
        }
        case "--memcached" -> memcached = argument(args, ++i, "--memcached needs host:port[,host:port...]");
        case "--ttl" -> timeout = Duration.ofSeconds(Long.parseLong(argument(args, ++i, "--ttl needs seconds")));
        case "--port" -> port = Integer.parseInt(argument(args, ++i, "--port needs a number"));
        default -> throw new IllegalArgumentException("Unknown option " + args[i]
            + " (known: --serve, --memcached SERVERS, --ttl SECONDS, --port PORT)");
      }
    }

    // One cache object, created at start-up, through the standard API.
    CacheManager manager = Caching.getCachingProvider().getCacheManager();
    LarderConfiguration<String, String> configuration = new LarderConfiguration<String, String>();
    configuration.setTypes(String.class, String.class).setStatisticsEnabled(true);
    if (memcached != null) {
      configuration.setStoreFactory(MemcachedStoreFactory.of(MemcachedSettings.servers(memcached)));
    }
    LarderCache<String, String> reports;
    try {
      @SuppressWarnings("unchecked")
      LarderCache<String, String> created = manager.createCache("reports", configuration).unwrap(LarderCache.class);
      reports = created;
    } catch (javax.cache.CacheException e) {
      // the message names the server; the stack trace would only hide it
      System.err.println("Cannot start the demo: " + e.getMessage()
          + (memcached == null ? "" : " (start one with: memcached -d -l 127.0.0.1 -p PORT)"));
      manager.close();
      System.exit(1);
      return;
    }
    String statisticsName = "javax.cache:type=CacheStatistics,CacheManager="
        + manager.getURI().toString().replaceAll("[:=,]", ".") + ",Cache=reports";
    SlowReportDemo demo = new SlowReportDemo(reports, timeout, statisticsName);

    // Without TCP_NODELAY the JDK's server holds small responses ~40 ms (Nagle + delayed ACK).
    System.setProperty("sun.net.httpserver.nodelay", "true");
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    server.createContext("/report", demo::report);
    server.createContext("/stats", demo::stats);
    server.start();
    String base = "http://127.0.0.1:" + server.getAddress().getPort();
    System.out.printf("Larder demo on %s (store: %s, reports kept %d s)%n", base,
        memcached == null ? "in-process" : "memcached " + memcached, timeout.toSeconds());
    if (serve) {
      System.out.println("Try: curl '" + base + "/report?id=42' and " + base + "/stats");
      return;
    }
    try {
      demo.script(base);
    } finally {
      server.stop(0);
      manager.close();
    }
  }

  /** A newcomer's tour: misses, hits, and an expiry, in the terminal. */
  private void script(String base) throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    String[] ids = {"1", "1", "2", "1", "2", "2"};
    for (String id : ids) {
      fetch(client, base + "/report?id=" + id);
    }
    System.out.printf("... waiting %d s for the cached reports to expire ...%n", timeout.toSeconds() + 1);
    Thread.sleep(timeout.plusSeconds(1).toMillis());
    fetch(client, base + "/report?id=1");
    fetch(client, base + "/report?id=1");
    System.out.println("Statistics: " + client.send(HttpRequest.newBuilder(URI.create(base + "/stats")).build(),
        HttpResponse.BodyHandlers.ofString()).body());
  }

  private static void fetch(HttpClient client, String url) throws Exception {
    long start = System.nanoTime();
    HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(url)).build(),
        HttpResponse.BodyHandlers.ofString());
    long millis = (System.nanoTime() - start) / 1_000_000;
    System.out.printf("GET %-28s %4d ms  %-5s %s%n", url.substring(url.indexOf("/report")), millis,
        response.headers().firstValue("X-Cache").orElse("?"), response.body());
  }

  private void report(HttpExchange exchange) throws IOException {
    String query = exchange.getRequestURI().getQuery();
    String id = query != null && query.startsWith("id=") ? query.substring(3) : "default";
    AtomicBoolean computed = new AtomicBoolean();
    // Get it; if absent, compute it and keep it for the timeout.
    String body = reports.get("report:" + id, key -> {
      computed.set(true);
      return slowReport(id);
    }, timeout);
    exchange.getResponseHeaders().add("X-Cache", computed.get() ? "MISS" : "HIT");
    respond(exchange, 200, body);
  }

  private void stats(HttpExchange exchange) throws IOException {
    try {
      var server = ManagementFactory.getPlatformMBeanServer();
      ObjectName name = new ObjectName(statisticsName);
      String body = String.format("{\"hits\": %d, \"misses\": %d, \"hitPercentage\": %.1f, \"averageGetMicros\": %.1f}",
          (Long) server.getAttribute(name, "CacheHits"), (Long) server.getAttribute(name, "CacheMisses"),
          (Float) server.getAttribute(name, "CacheHitPercentage"), (Float) server.getAttribute(name, "AverageGetTime"));
      respond(exchange, 200, body);
    } catch (Exception e) {
      respond(exchange, 500, e.toString());
    }
  }

  private static String slowReport(String id) {
    try {
      Thread.sleep(SLOW.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return "report " + id + " computed at " + LocalTime.now(java.time.ZoneOffset.UTC).withNano(0) + " UTC";
  }

  private static void respond(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static String argument(String[] args, int index, String message) {
    if (index >= args.length) {
      throw new IllegalArgumentException(message);
    }
    return args[index];
  }
}
