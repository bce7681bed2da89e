package dev.larder.memcached.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.MessageToByteEncoder;
import io.netty.handler.codec.TooLongFrameException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Encodes meta commands and decodes meta responses (a line, and for {@code VA} a data block). */
final class MetaCodec {

  private static final byte[] CRLF = {'\r', '\n'};
  private static final byte[] GETS = "gets".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] VALUE = "VALUE ".getBytes(StandardCharsets.US_ASCII);
  private static final int MAX_LINE = 8192;

  private MetaCodec() {
  }

  /** Several requests written as one message: one hand-over to the event loop, one buffer. */
  record Batch(List<MetaRequest> requests) {
  }

  /**
   * Reads of several keys ({@code mg <key> v c} each) sent as one classic {@code gets k1 k2 …}, which
   * answers the same value and CAS token for each key it holds, in the order asked, then {@code END}.
   * Why: it costs memcached less CPU. Measured on 1.6.18, one connection, 100 keys of 120-byte values:
   * 53-60 µs of server CPU a batch as one {@code gets}, 93-103 µs as 100 {@code mg} (with or without the
   * quiet flag: a hit is answered either way). A whole getAll(100) over three servers cost them 268 µs
   * instead of 348 with one caller (medians of 4 pairs), 227 instead of 257 with four. memcached answers
   * a {@code gets} line of any length in full (tried: 100,000 keys, a 3.1 MB line).
   */
  static final class MultiGet {
    final List<MetaRequest> requests;
    /** The first request not answered yet: read and moved by the connection's event loop only. */
    int next;

    MultiGet(List<MetaRequest> requests) {
      this.requests = requests;
    }

    /** Whether every request is a read that a {@code gets} answers. */
    static boolean fits(List<MetaRequest> requests) {
      for (MetaRequest request : requests) {
        if (!request.classicGet) {
          return false;
        }
      }
      return true;
    }
  }

  static final class Encoder extends MessageToByteEncoder<Object> {
    @Override
    public boolean acceptOutboundMessage(Object message) {
      return message instanceof MetaRequest || message instanceof Batch || message instanceof MultiGet;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Object message, ByteBuf out) {
      if (message instanceof Batch batch) {
        for (MetaRequest request : batch.requests()) {
          encode(request, out);
        }
      } else if (message instanceof MultiGet reads) {
        out.writeBytes(GETS);
        for (MetaRequest request : reads.requests) {
          out.writeByte(' ').writeCharSequence(request.key, StandardCharsets.US_ASCII);
        }
        out.writeBytes(CRLF);
      } else {
        encode((MetaRequest) message, out);
      }
    }

    private static void encode(MetaRequest request, ByteBuf out) {
      out.writeBytes(request.line).writeBytes(CRLF);
      if (request.data != null) {
        out.writeBytes(request.data).writeBytes(CRLF);
      }
    }
  }

  /**
   * Decodes one response at a time, from the bytes: the meta answers' two-letter codes and a
   * {@code VA}'s size are read in place, and its returned flags kept as one string, parsed only if asked
   * for (measured: splitting each line into strings was most of a getAll's decoding). Server errors
   * ({@code ERROR}, {@code CLIENT_ERROR ...}, {@code SERVER_ERROR ...}) are responses too, with that
   * word as their code, so the pipeline stays aligned with its requests.
   */
  static final class Decoder extends ByteToMessageDecoder {
    /** Which server, and which run of it, answered: see {@link MetaResponse#origin()}. */
    private final String origin;

    Decoder(String origin) {
      this.origin = origin;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
      while (true) {
        int start = in.readerIndex();
        int eol = in.indexOf(start, in.writerIndex(), (byte) '\n');
        if (eol < 0) {
          if (in.readableBytes() > MAX_LINE) {
            throw new TooLongFrameException("memcached response line longer than " + MAX_LINE + " bytes");
          }
          return;
        }
        int lineEnd = eol > start && in.getByte(eol - 1) == '\r' ? eol - 1 : eol;
        MetaStatus status = metaCode(in, start, lineEnd);
        if (status == null && startsWith(in, start, lineEnd, VALUE)) {
          MetaResponse value = value(in, start, lineEnd, eol);
          if (value == null) {
            return; // wait for the whole data block
          }
          out.add(value);
          continue;
        }
        if (status == null) {
          in.readerIndex(eol + 1);
          out.add(otherLine(in.toString(start, lineEnd - start, StandardCharsets.US_ASCII)));
          continue;
        }
        if (status != MetaStatus.VA) {
          in.readerIndex(eol + 1);
          out.add(new MetaResponse(origin, status, status.name(), flags(in, start + 3, lineEnd), null));
          continue;
        }
        int sizeEnd = wordEnd(in, start + 3, lineEnd);
        int size = size("VA", in, start, start + 3, sizeEnd, lineEnd);
        if (!blockIn(in, eol, size)) {
          return; // wait for the whole data block
        }
        out.add(new MetaResponse(origin, MetaStatus.VA, "VA", flags(in, sizeEnd + 1, lineEnd), block(in, eol, size)));
        in.readerIndex(eol + 1 + size + 2);
      }
    }

    /**
     * A classic {@code VALUE <key> <flags> <bytes> [<cas>]} and its block, as the {@code VA} of an
     * {@code mg}; {@code null} (nothing read) until the whole block is in.
     */
    private MetaResponse value(ByteBuf in, int start, int lineEnd, int eol) {
      int keyEnd = wordEnd(in, start + VALUE.length, lineEnd);
      int flagsEnd = wordEnd(in, keyEnd + 1, lineEnd);
      int sizeEnd = wordEnd(in, flagsEnd + 1, lineEnd);
      if (keyEnd == start + VALUE.length || flagsEnd >= lineEnd) {
        throw new CorruptedFrameException("memcached sent a malformed VALUE line: "
            + in.toString(start, lineEnd - start, StandardCharsets.US_ASCII));
      }
      int size = size("VALUE", in, start, flagsEnd + 1, sizeEnd, lineEnd);
      if (!blockIn(in, eol, size)) {
        return null;
      }
      byte[] data = block(in, eol, size);
      String key = in.toString(start + VALUE.length, keyEnd - start - VALUE.length, StandardCharsets.US_ASCII);
      String cas = sizeEnd < lineEnd ? in.toString(sizeEnd + 1, lineEnd - sizeEnd - 1, StandardCharsets.US_ASCII) : null;
      in.readerIndex(eol + 1 + size + 2);
      return MetaResponse.value(origin, key, cas, data);
    }

    /** Whether the data block of {@code size} bytes (and its CRLF) after the line ending at {@code eol} is all in. */
    private static boolean blockIn(ByteBuf in, int eol, int size) {
      return in.writerIndex() - (eol + 1) >= size + 2L;
    }

    /** The data block of {@code size} bytes after the line ending at {@code eol}. */
    private static byte[] block(ByteBuf in, int eol, int size) {
      byte[] data = new byte[size];
      in.getBytes(eol + 1, data);
      return data;
    }

    /** The decimal size in {@code [from, to)} of the {@code kind} line at {@code start}. */
    private static int size(String kind, ByteBuf in, int start, int from, int to, int lineEnd) {
      long size = 0;
      for (int i = from; i < to; i++) {
        int digit = in.getByte(i) - '0';
        size = size * 10 + digit;
        if (digit < 0 || digit > 9 || size > Integer.MAX_VALUE - 2) { // the block and its CRLF in one array
          throw new CorruptedFrameException("memcached sent a malformed " + kind + " line: "
              + in.toString(start, lineEnd - start, StandardCharsets.US_ASCII));
        }
      }
      if (to == from) {
        throw new CorruptedFrameException("memcached sent a " + kind + " line without a size: "
            + in.toString(start, lineEnd - start, StandardCharsets.US_ASCII));
      }
      return (int) size;
    }

    /** Where the word at {@code from} ends: at the next space, or the line's end. */
    private static int wordEnd(ByteBuf in, int from, int lineEnd) {
      int end = from;
      while (end < lineEnd && in.getByte(end) != ' ') {
        end++;
      }
      return end;
    }

    private static boolean startsWith(ByteBuf in, int start, int lineEnd, byte[] prefix) {
      if (lineEnd - start < prefix.length) {
        return false;
      }
      for (int i = 0; i < prefix.length; i++) {
        if (in.getByte(start + i) != prefix[i]) {
          return false;
        }
      }
      return true;
    }

    /** The status of a meta answer's line ({@code VA}, {@code HD}, ...: two letters, then a space or the end), or null. */
    private static MetaStatus metaCode(ByteBuf in, int start, int lineEnd) {
      if (lineEnd - start < 2 || (lineEnd - start > 2 && in.getByte(start + 2) != ' ')) {
        return null;
      }
      return switch (in.getShort(start)) {
        case 'V' << 8 | 'A' -> MetaStatus.VA;
        case 'H' << 8 | 'D' -> MetaStatus.HD;
        case 'E' << 8 | 'N' -> MetaStatus.EN;
        case 'N' << 8 | 'F' -> MetaStatus.NF;
        case 'N' << 8 | 'S' -> MetaStatus.NS;
        case 'E' << 8 | 'X' -> MetaStatus.EX;
        case 'M' << 8 | 'N' -> MetaStatus.MN;
        default -> null;
      };
    }

    private static String flags(ByteBuf in, int from, int lineEnd) {
      return from >= lineEnd ? "" : in.toString(from, lineEnd - from, StandardCharsets.US_ASCII);
    }

    /** A line that is no meta answer: {@code STORED}, {@code OK}, a server error with its message, or anything else. */
    private MetaResponse otherLine(String line) {
      int space = line.indexOf(' ');
      String code = space < 0 ? line : line.substring(0, space);
      String rest = space < 0 ? "" : line.substring(space + 1).trim();
      return new MetaResponse(origin, MetaStatus.parse(code), code, rest, null);
    }
  }
}
