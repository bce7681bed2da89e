package dev.larder.memcached.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The response decoder, on bytes as the server sends them: whole, or split anywhere. */
class MetaCodecTest {

  private static final String ANSWERS = lines("VA 5 c123 t-1", "hello", "HD", "EN", "NF", "NS c9", "EX", "MN",
      "VA 4", "a", "b", "VA 0 W", "", "HD c77  b");

  /** Each line ended by CRLF, as the server sends them. */
  private static String lines(String... lines) {
    return String.join("\r\n", lines) + "\r\n";
  }

  private static List<MetaResponse> decode(String bytes, int chunk) {
    EmbeddedChannel channel = new EmbeddedChannel(new MetaCodec.Decoder("test@1"));
    byte[] all = bytes.getBytes(StandardCharsets.ISO_8859_1);
    for (int from = 0; from < all.length; from += chunk) {
      channel.writeInbound(Unpooled.wrappedBuffer(all, from, Math.min(chunk, all.length - from)));
    }
    List<MetaResponse> responses = new ArrayList<>();
    for (MetaResponse response; (response = channel.readInbound()) != null; ) {
      responses.add(response);
    }
    channel.finishAndReleaseAll();
    return responses;
  }

  @Test
  void metaAnswersDecodeTheSameWholeOrSplitAtEveryByte() {
    for (int chunk : new int[] {ANSWERS.length(), 1, 2, 3, 7}) {
      List<MetaResponse> responses = decode(ANSWERS, chunk);
      assertThat(responses).as("in chunks of %d bytes", chunk).extracting(MetaResponse::status).containsExactly(
          MetaStatus.VA, MetaStatus.HD, MetaStatus.EN, MetaStatus.NF, MetaStatus.NS, MetaStatus.EX, MetaStatus.MN,
          MetaStatus.VA, MetaStatus.VA, MetaStatus.HD);
      MetaResponse first = responses.get(0);
      assertThat(new String(first.data(), StandardCharsets.US_ASCII)).isEqualTo("hello");
      assertThat(first.cas()).isEqualTo("123");
      assertThat(first.flag('t')).isEqualTo("-1");
      assertThat(first.flag('W')).isNull();
      assertThat(first.origin()).isEqualTo("test@1");
      assertThat(first).hasToString("VA c123 t-1 <5 bytes>");
      assertThat(responses.get(1).data()).isNull();
      assertThat(responses.get(4).cas()).isEqualTo("9");
      assertThat(new String(responses.get(7).data(), StandardCharsets.US_ASCII)).as("a block holding CRLF")
          .isEqualTo("a\r\nb");
      assertThat(responses.get(7).cas()).isNull();
      assertThat(responses.get(8).data()).isEmpty();
      assertThat(responses.get(8).won()).isTrue();
      assertThat(responses.get(9).cas()).as("flags after two spaces").isEqualTo("77");
      assertThat(responses.get(9).hasFlag('b')).isTrue();
      assertThat(responses.get(9).code()).isEqualTo("HD");
    }
  }

  @Test
  void otherLinesAreResponsesWithTheirWordAsCode() {
    List<MetaResponse> responses = decode(lines("CLIENT_ERROR bad data chunk", "SERVER_ERROR out of memory", "ERROR",
        "STORED", "OK", "", "VALUES k 0 1", "HDX", "V"), 5);
    assertThat(responses).extracting(MetaResponse::status).containsExactly(MetaStatus.CLIENT_ERROR,
        MetaStatus.SERVER_ERROR, MetaStatus.ERROR, MetaStatus.STORED, MetaStatus.OK, MetaStatus.UNKNOWN,
        MetaStatus.UNKNOWN, MetaStatus.UNKNOWN, MetaStatus.UNKNOWN);
    assertThat(responses.get(0)).hasToString("CLIENT_ERROR bad data chunk");
    assertThat(responses.get(1).code()).isEqualTo("SERVER_ERROR");
    assertThat(responses.get(6).code()).isEqualTo("VALUES");
    assertThat(responses).allSatisfy(response -> assertThat(response.key()).isNull());
  }

  @Test
  void classicValueLinesDecodeAsTheVaOfAnMgWholeOrSplitAtEveryByte() {
    String answers = lines("VALUE p:k1 0 5 123", "hello", "VALUE p:k3 7 4", "a", "b", "END", "MN");
    for (int chunk : new int[] {answers.length(), 1, 2, 5}) {
      List<MetaResponse> responses = decode(answers, chunk);
      assertThat(responses).as("in chunks of %d bytes", chunk).extracting(MetaResponse::status)
          .containsExactly(MetaStatus.VA, MetaStatus.VA, MetaStatus.END, MetaStatus.MN);
      MetaResponse first = responses.get(0);
      assertThat(first.key()).isEqualTo("p:k1");
      assertThat(new String(first.data(), StandardCharsets.US_ASCII)).isEqualTo("hello");
      assertThat(first.cas()).isEqualTo("123");
      assertThat(first.origin()).isEqualTo("test@1");
      assertThat(first).hasToString("VA c123 <5 bytes>");
      assertThat(responses.get(1).key()).isEqualTo("p:k3");
      assertThat(new String(responses.get(1).data(), StandardCharsets.US_ASCII)).as("a block holding CRLF")
          .isEqualTo("a\r\nb");
      assertThat(responses.get(1).cas()).as("VALUE of a get, not a gets").isNull();
      assertThat(responses.get(2).key()).isNull();
    }
  }

  @Test
  void readsOfSeveralKeysAreWrittenAsOneClassicGets() {
    List<MetaRequest> reads = List.of(MetaRequest.get("p:a", MetaFlags.VALUE_AND_CAS),
        MetaRequest.get("p:b", MetaFlags.VALUE.returnCas()), MetaRequest.get("p:c", MetaFlags.VALUE));
    assertThat(MetaCodec.MultiGet.fits(reads)).isTrue();
    EmbeddedChannel channel = new EmbeddedChannel(new MetaCodec.Encoder());
    channel.writeOutbound(new MetaCodec.MultiGet(reads));
    ByteBuf written = channel.readOutbound();
    assertThat(written.toString(StandardCharsets.US_ASCII)).isEqualTo("gets p:a p:b p:c\r\n");
    written.release();
    channel.finishAndReleaseAll();

    assertThat(MetaCodec.MultiGet.fits(List.of(MetaRequest.get("p:a", MetaFlags.VALUE_AND_CAS),
        MetaRequest.get("p:b", MetaFlags.VALUE_AND_CAS.returnTtl())))).as("a flag gets cannot answer").isFalse();
    assertThat(MetaCodec.MultiGet.fits(List.of(MetaRequest.get("p:a", MetaFlags.VALUE_AND_CAS),
        MetaRequest.delete("p:b", MetaFlags.NONE)))).as("a write among the reads").isFalse();
    assertThat(MetaCodec.MultiGet.fits(List.of(MetaRequest.get("p:a", MetaFlags.NONE)))).as("no value asked")
        .isFalse();
  }

  @Test
  void aMalformedOrEndlessAnswerIsAnErrorNotAGuess() {
    Map<String, String> malformed = new java.util.LinkedHashMap<>();
    malformed.put("VA 1x\r\nab\r\n", "malformed VA line: VA 1x");
    malformed.put("VA\r\n", "VA line without a size");
    malformed.put("VA 99999999999\r\n", "malformed VA line");
    malformed.put("VA 2147483649\r\n", "malformed VA line"); // just past an int
    malformed.put("VALUE k 0 1x 5\r\nab\r\n", "malformed VALUE line: VALUE k 0 1x 5");
    malformed.put("VALUE k 0\r\n", "malformed VALUE line");
    malformed.put("VALUE  0 1\r\na\r\n", "malformed VALUE line"); // no key
    malformed.forEach((answer, error) -> assertThatThrownBy(() -> decode(answer, 100)).as(answer)
        .isInstanceOf(DecoderException.class).hasMessageContaining(error));
    assertThatThrownBy(() -> decode("HD " + "x".repeat(9000), 100)).isInstanceOf(TooLongFrameException.class);
  }
}
