package dev.larder.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The demo as a newcomer runs it (the README's first command), with its real HTTP server, real cache
 * and real clock: its scripted requests must show what it says they show — misses, then hits, an
 * expiry, and statistics that agree — in process and on the test memcached servers. The wait for the
 * expiry is the demo's own real sleep (its TTL is 1 s here): the demo is about wall-clock expiry.
 */
class SlowReportDemoTest {

  private static final Pattern REQUEST = Pattern.compile("^GET /report\\?id=(\\d)\\s+(\\d+) ms\\s+(HIT|MISS)\\s+(.*)$");

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"in-process", "memcached"})
  void theScriptedRunShowsMissesHitsAnExpiryAndTheStatistics(String store) throws Exception {
    String[] args = store.equals("in-process") ? new String[] {"--ttl", "1"}
        : new String[] {"--ttl", "1", "--memcached", System.getProperty("larder.test.memcached.servers")};
    String output = run(args);

    assertThat(output).contains("store: " + (store.equals("in-process") ? "in-process" : "memcached"));
    List<String[]> requests = output.lines().map(REQUEST::matcher).filter(Matcher::matches)
        .map(m -> new String[] {m.group(1), m.group(2), m.group(3), m.group(4)}).toList();
    assertThat(requests).extracting(r -> r[0] + " " + r[2]).containsExactly(
        "1 MISS", "1 HIT", "2 MISS", "1 HIT", "2 HIT", "2 HIT", // computed once per id, then kept
        "1 MISS", "1 HIT"); // after the expiry: computed again, then kept again
    // a hit returns the report computed by the miss before it, not a new one
    assertThat(requests.get(1)[3]).isEqualTo(requests.get(0)[3]);
    assertThat(requests.get(6)[3]).isNotEqualTo(requests.get(0)[3]);
    assertThat(requests.get(7)[3]).isEqualTo(requests.get(6)[3]);
    // a miss costs the slow computation (400 ms), a hit does not
    assertThat(Long.parseLong(requests.get(0)[1])).isGreaterThanOrEqualTo(400);
    assertThat(Long.parseLong(requests.get(1)[1])).isLessThan(400);
    assertThat(output).contains("Statistics: {\"hits\": 5, \"misses\": 3, \"hitPercentage\": 62.5");
  }

  private static String run(String[] args) throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      SlowReportDemo.main(args);
    } finally {
      System.setOut(original);
    }
    String output = captured.toString(StandardCharsets.UTF_8);
    original.print(output);
    return output;
  }
}
