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
  private static final int MAX_LINE = 8192;

  private MetaCodec() {
  }

  /** Several requests written as one message: one hand-over to the event loop, one buffer. */
  record Batch(List<MetaRequest> requests) {
  }

  static final class Encoder extends MessageToByteEncoder<Object> {
    @Override
    public boolean acceptOutboundMessage(Object message) {
      return message instanceof MetaRequest || message instanceof Batch;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Object message, ByteBuf out) {
      if (message instanceof Batch batch) {
        for (MetaRequest request : batch.requests()) {
          encode(request, out);
        }
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
        int sizeEnd = start + 3;
        long size = 0;
        while (sizeEnd < lineEnd && in.getByte(sizeEnd) != ' ') {
          int digit = in.getByte(sizeEnd) - '0';
          size = size * 10 + digit;
          if (digit < 0 || digit > 9 || size > Integer.MAX_VALUE - 2) { // the block and its CRLF in one array
            throw new CorruptedFrameException("memcached sent a malformed VA line: "
                + in.toString(start, lineEnd - start, StandardCharsets.US_ASCII));
          }
          sizeEnd++;
        }
        if (sizeEnd == start + 3) {
          throw new CorruptedFrameException("memcached sent a VA line without a size");
        }
        int dataStart = eol + 1;
        if (in.writerIndex() - dataStart < size + 2) {
          return; // wait for the whole data block
        }
        byte[] data = new byte[(int) size];
        in.getBytes(dataStart, data);
        String flags = flags(in, sizeEnd + 1, lineEnd);
        in.readerIndex(dataStart + data.length + 2);
        out.add(new MetaResponse(origin, MetaStatus.VA, "VA", flags, data));
      }
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
