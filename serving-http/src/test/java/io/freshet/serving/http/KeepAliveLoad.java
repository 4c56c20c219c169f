package io.freshet.serving.http;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

/**
 * A load generator for the feature server: {@code POST}s over a pool of keep-alive HTTP/1.1
 * connections, each driven by its own thread with blocking I/O (one write per request, no Nagle
 * delay), so that the generator adds microseconds, not the milliseconds of a general-purpose
 * asynchronous client.
 *
 * <p>Open loop ({@link #atRate}): request {@code i} is due at {@code start + i / rate}; the next
 * free connection sends it at that time or, if all were busy, as soon as one frees; its latency
 * runs from the due time, so a server that falls behind is charged for the wait (no coordinated
 * omission). Closed loop ({@link #asFastAsPossible}): each connection sends its next request when
 * the previous answer arrives.
 */
final class KeepAliveLoad {
  private final URI base;
  private final String path;
  private final int connections;

  KeepAliveLoad(URI base, String path, int connections) {
    this.base = base;
    this.path = path;
    this.connections = connections;
  }

  /** {@code rate} requests a second for {@code seconds}, bodies from {@code body(i)}. */
  ServerBench.Result atRate(IntFunction<String> body, int rate, int seconds) throws Exception {
    return load(body, rate, seconds);
  }

  /** Every connection busy for {@code seconds}. */
  ServerBench.Result asFastAsPossible(IntFunction<String> body, int seconds) throws Exception {
    return load(body, 0, seconds);
  }

  private ServerBench.Result load(IntFunction<String> body, int rate, int seconds)
      throws Exception {
    int n = rate > 0 ? rate * seconds : Integer.MAX_VALUE;
    long interval = rate > 0 ? 1_000_000_000L / rate : 0;
    AtomicLong next = new AtomicLong();
    AtomicInteger errors = new AtomicInteger();
    long start = System.nanoTime();
    long end = start + seconds * 1_000_000_000L;
    List<List<Double>> per = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < connections; c++) {
      List<Double> mine = new ArrayList<>();
      per.add(mine);
      Thread t =
          new Thread(
              () -> {
                try (Connection conn = new Connection()) {
                  while (true) {
                    long i = next.getAndIncrement();
                    if (i >= n) {
                      return;
                    }
                    long due = rate > 0 ? start + i * interval : System.nanoTime();
                    if (rate == 0 && due >= end) {
                      return;
                    }
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                      LockSupport.parkNanos(wait);
                    }
                    try {
                      conn.post(body.apply((int) i));
                    } catch (IOException | RuntimeException e) {
                      if (errors.incrementAndGet() == 1) {
                        System.err.println("first error: " + e);
                      }
                      conn.reconnect();
                    }
                    mine.add((System.nanoTime() - due) / 1e6);
                  }
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              },
              "load-" + c);
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join();
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    double[] millis = per.stream().flatMap(List::stream).mapToDouble(Double::doubleValue).toArray();
    return new ServerBench.Result(millis, errors.get(), millis.length / elapsed);
  }

  /** One keep-alive connection. */
  private final class Connection implements AutoCloseable {
    private Socket socket;
    private OutputStream out;
    private InputStream in;

    Connection() throws IOException {
      reconnect();
    }

    void reconnect() throws IOException {
      close();
      socket = new Socket();
      socket.setTcpNoDelay(true);
      socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5_000);
      socket.setSoTimeout(30_000);
      out = socket.getOutputStream();
      in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
    }

    /** Sends one request and reads its whole answer; throws unless it is a 200. */
    void post(String json) throws IOException {
      byte[] body = json.getBytes(StandardCharsets.UTF_8);
      byte[] head =
          String.format(
                  Locale.ROOT,
                  "POST %s HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: application/json\r\n"
                      + "Content-Length: %d\r\n\r\n",
                  path,
                  base.getHost(),
                  base.getPort(),
                  body.length)
              .getBytes(StandardCharsets.US_ASCII);
      byte[] request = new byte[head.length + body.length];
      System.arraycopy(head, 0, request, 0, head.length);
      System.arraycopy(body, 0, request, head.length, body.length);
      out.write(request);
      out.flush();
      String status = line();
      int length = -1;
      boolean chunked = false;
      for (String h = line(); !h.isEmpty(); h = line()) {
        if (h.regionMatches(true, 0, "Content-Length:", 0, 15)) {
          length = Integer.parseInt(h.substring(15).trim());
        } else if (h.regionMatches(true, 0, "Transfer-Encoding:", 0, 18)) {
          chunked = h.toLowerCase(Locale.ROOT).contains("chunked");
        }
      }
      byte[] answer;
      if (chunked) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int size = Integer.parseInt(line().trim(), 16); size > 0; ) {
          all.write(exactly(size));
          line(); // the CRLF after the chunk
          size = Integer.parseInt(line().trim(), 16);
        }
        line(); // the CRLF after the last chunk
        answer = all.toByteArray();
      } else if (length >= 0) {
        answer = exactly(length);
      } else {
        throw new IOException("neither Content-Length nor chunks in the answer to " + json);
      }
      if (!status.startsWith("HTTP/1.1 200")) {
        throw new IllegalStateException(status + " " + new String(answer, StandardCharsets.UTF_8));
      }
    }

    private byte[] exactly(int n) throws IOException {
      byte[] b = in.readNBytes(n);
      if (b.length < n) {
        throw new IOException("connection closed mid-answer");
      }
      return b;
    }

    private String line() throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream(64);
      for (int c = in.read(); c != '\n'; c = in.read()) {
        if (c < 0) {
          throw new IOException("connection closed by the server");
        }
        if (c != '\r') {
          b.write(c);
        }
      }
      return b.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
      if (socket != null) {
        socket.close();
      }
    }
  }
}
