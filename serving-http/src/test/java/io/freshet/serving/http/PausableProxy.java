package io.freshet.serving.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on loopback in front of a real server, for tests of a server that stops answering:
 * while paused it accepts and keeps connections but forwards nothing in either direction (bytes
 * wait in the sockets), as a node does in a long GC pause or behind a dropped network; resumed, it
 * forwards everything that waited. With {@code forward == null} it never forwards at all: a server
 * that accepts connections and never says a word.
 */
final class PausableProxy implements AutoCloseable {
  private final ServerSocket listener;
  private final InetSocketAddress forward;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final Object gate = new Object();
  private boolean paused;
  private volatile boolean closed;

  PausableProxy(InetSocketAddress forward) throws IOException {
    this.forward = forward;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread accept = new Thread(this::accept, "proxy-accept");
    accept.setDaemon(true);
    accept.start();
  }

  /** A server that accepts connections and never answers. */
  static PausableProxy silent() throws IOException {
    return new PausableProxy(null);
  }

  int port() {
    return listener.getLocalPort();
  }

  void pause() {
    synchronized (gate) {
      paused = true;
    }
  }

  void resume() {
    synchronized (gate) {
      paused = false;
      gate.notifyAll();
    }
  }

  private void accept() {
    while (!closed) {
      try {
        Socket client = listener.accept();
        sockets.add(client);
        if (forward == null) {
          continue; // hold it, say nothing
        }
        Socket upstream = new Socket(forward.getAddress(), forward.getPort());
        sockets.add(upstream);
        pump(client, upstream);
        pump(upstream, client);
      } catch (IOException e) {
        if (!closed) {
          throw new java.io.UncheckedIOException(e);
        }
      }
    }
  }

  private void pump(Socket from, Socket to) {
    Thread t =
        new Thread(
            () -> {
              byte[] buf = new byte[64 * 1024];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                  awaitResumed();
                  out.write(buf, 0, n);
                  out.flush();
                }
              } catch (IOException | InterruptedException e) {
                // a side closed: close the other
              } finally {
                closeQuietly(from);
                closeQuietly(to);
              }
            },
            "proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  private void awaitResumed() throws InterruptedException {
    synchronized (gate) {
      while (paused && !closed) {
        gate.wait();
      }
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    resume();
    listener.close();
    sockets.forEach(PausableProxy::closeQuietly);
  }
}
