package dev.larder.memcached.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
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
   * Decodes one response at a time. Server errors ({@code ERROR}, {@code CLIENT_ERROR ...},
   * {@code SERVER_ERROR ...}) are responses too, with that word as their code, so the pipeline stays
   * aligned with its requests.
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
        String line = in.toString(start, lineEnd - start, StandardCharsets.US_ASCII);
        String[] tokens = line.isEmpty() ? new String[] {""} : line.split(" ");
        String code = tokens[0];
        if (code.equals("VA")) {
          int size = Integer.parseInt(tokens[1]);
          int dataStart = eol + 1;
          if (in.writerIndex() - dataStart < size + 2) {
            return; // wait for the whole data block
          }
          byte[] data = new byte[size];
          in.getBytes(dataStart, data);
          in.readerIndex(dataStart + size + 2);
          out.add(new MetaResponse(origin, code, slice(tokens, 2), data));
        } else {
          in.readerIndex(eol + 1);
          if (code.equals("CLIENT_ERROR") || code.equals("SERVER_ERROR")) {
            out.add(new MetaResponse(origin, code, new String[] {line.substring(code.length()).trim()}, null));
          } else {
            out.add(new MetaResponse(origin, code, slice(tokens, 1), null));
          }
        }
      }
    }

    private static String[] slice(String[] tokens, int from) {
      if (tokens.length <= from) {
        return new String[0];
      }
      String[] rest = new String[tokens.length - from];
      System.arraycopy(tokens, from, rest, 0, rest.length);
      return rest;
    }
  }
}
