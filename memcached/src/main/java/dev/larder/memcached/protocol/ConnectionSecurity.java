package dev.larder.memcached.protocol;

import io.netty.channel.Channel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.concurrent.Future;
import java.io.File;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.cache.CacheException;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * What a connection to memcached does before its first request: a TLS handshake (memcached {@code -Z})
 * that checks the server's certificate and that it names the host, then ASCII authentication (memcached
 * {@code -Y authfile}). A refusal is a {@link CacheException} saying which, never a silent miss: it is a
 * setting to fix, not an outage.
 */
public final class ConnectionSecurity {

  /** Plain TCP, no authentication. */
  public static final ConnectionSecurity NONE = new ConnectionSecurity(null, "", "");

  private static final byte[] CRLF = {'\r', '\n'};

  private final SslContext sslContext;
  private final String user;
  private final String password;

  private ConnectionSecurity(SslContext sslContext, String user, String password) {
    this.sslContext = sslContext;
    this.user = user;
    this.password = password;
  }

  /**
   * How to open a connection to a server.
   *
   * @param tls whether to speak TLS
   * @param trustPem a PEM file of trusted certificates, blank for the JVM's trust store
   * @param user blank for no authentication
   * @throws IllegalArgumentException if the PEM file cannot be used
   */
  public static ConnectionSecurity of(boolean tls, String trustPem, String user, String password) {
    SslContext sslContext = null;
    if (tls) {
      SslContextBuilder builder = SslContextBuilder.forClient().sslProvider(SslProvider.JDK);
      if (!trustPem.isBlank()) {
        builder.trustManager(new File(trustPem));
      }
      try {
        sslContext = builder.build();
      } catch (SSLException | IllegalArgumentException e) {
        throw new IllegalArgumentException("larder.memcached.tls.trust: cannot use '" + trustPem
            + "' as PEM certificates: " + e.getMessage(), e);
      }
    }
    if (sslContext == null && user.isEmpty()) {
      return NONE;
    }
    return new ConnectionSecurity(sslContext, user, password);
  }

  /** Adds TLS to a new connection's pipeline, checking that the certificate names {@code address}'s host. */
  void install(SocketChannel channel, InetSocketAddress address) {
    if (sslContext == null) {
      return;
    }
    SslHandler handler = sslContext.newHandler(channel.alloc(), address.getHostString(), address.getPort());
    SSLEngine engine = handler.engine();
    SSLParameters parameters = engine.getSSLParameters();
    parameters.setEndpointIdentificationAlgorithm("HTTPS");
    engine.setSSLParameters(parameters);
    channel.pipeline().addFirst(handler);
  }

  /** Completes the handshake and authenticates a connected channel, before anything else is sent on it. */
  @SuppressWarnings("FutureReturnValueIgnored") // the login's answer is awaited, bounded; a failed write fails it
  void establish(Channel channel, String server, long timeoutMillis) {
    if (sslContext != null) {
      Future<Channel> handshake = channel.pipeline().get(SslHandler.class).handshakeFuture();
      if (!handshake.awaitUninterruptibly(timeoutMillis)) {
        throw new ServerUnavailableException("memcached " + server + ": no TLS handshake within " + timeoutMillis
            + " ms (is it started with -Z?)", null);
      }
      if (!handshake.isSuccess()) {
        throw new CacheException("memcached " + server + ": TLS handshake failed (larder.memcached.tls.*): "
            + rootMessage(handshake.cause()), handshake.cause());
      }
    }
    if (!user.isEmpty()) {
      MetaRequest login = MetaRequest.authenticate(user, password);
      channel.writeAndFlush(login);
      MetaResponse answer;
      try {
        answer = login.response.get(timeoutMillis, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        throw new ServerUnavailableException("memcached " + server + " did not answer the authentication within "
            + timeoutMillis + " ms", e);
      } catch (ExecutionException e) {
        throw refused(server, rootMessage(e.getCause()), e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CacheException("Interrupted while authenticating to memcached " + server, e);
      }
      if (!answer.is(MetaStatus.STORED)) {
        throw refused(server, "it answered " + answer, null);
      }
    }
  }

  /**
   * A blocking socket for the few text commands that do not go through the pipelined connections
   * ({@code stats settings}, {@code lru_crawler metadump}): connected, TLS handshake done with the same
   * checks, authenticated.
   */
  java.net.Socket openSocket(InetSocketAddress address, String server, int timeoutMillis) throws java.io.IOException {
    java.net.Socket socket = new java.net.Socket();
    try {
      socket.connect(address, timeoutMillis);
      socket.setSoTimeout(timeoutMillis);
      if (sslContext != null) {
        javax.net.ssl.SSLSocket tls = (javax.net.ssl.SSLSocket) ((io.netty.handler.ssl.JdkSslContext) sslContext)
            .context().getSocketFactory().createSocket(socket, address.getHostString(), address.getPort(), true);
        SSLParameters parameters = tls.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        tls.setSSLParameters(parameters);
        try {
          tls.startHandshake();
        } catch (SSLException e) {
          throw new CacheException("memcached " + server + ": TLS handshake failed (larder.memcached.tls.*): "
              + rootMessage(e), e);
        }
        socket = tls;
      }
      if (!user.isEmpty()) {
        MetaRequest login = MetaRequest.authenticate(user, password); // the same bytes as on the pipeline
        java.io.OutputStream out = socket.getOutputStream();
        out.write(login.line);
        out.write(CRLF);
        out.write(login.data);
        out.write(CRLF);
        out.flush();
        String answer = readLine(socket.getInputStream());
        if (!"STORED".equals(answer)) {
          throw refused(server, "it answered " + answer, null);
        }
      }
      return socket;
    } catch (java.io.IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  /** One CRLF-terminated line, byte by byte so that nothing after it is consumed. */
  private static String readLine(java.io.InputStream in) throws java.io.IOException {
    StringBuilder line = new StringBuilder();
    int b;
    while ((b = in.read()) != -1 && b != '\n') {
      if (b != '\r') {
        line.append((char) b);
      }
    }
    return line.toString();
  }

  private CacheException refused(String server, String why, Throwable cause) {
    return new CacheException("memcached " + server + " refused the credentials of user " + user
        + " (larder.memcached.auth.*): " + why, cause);
  }

  private static String rootMessage(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName() + ": " + root.getMessage();
  }
}
