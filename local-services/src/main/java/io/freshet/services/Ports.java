package io.freshet.services;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Port checks on the loopback interface, with the name of whoever holds a busy port. */
final class Ports {
  private Ports() {}

  /** True when something accepts TCP connections on 127.0.0.1:port within the timeout. */
  static boolean accepts(int port, int timeoutMillis) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(ServicesConfig.HOST, port), timeoutMillis);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Throws a LocalServicesException naming the port, its use and its holder if it is busy. */
  static void requireFree(int port, String use) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getByName(ServicesConfig.HOST), port));
    } catch (IOException e) {
      throw new LocalServicesException(
          "Port "
              + port
              + " ("
              + use
              + ") on "
              + ServicesConfig.HOST
              + " is already in use"
              + holder(port).map(h -> " by " + h).orElse("")
              + ". Stop that process or choose another port (see `freshet services start"
              + " --help`).");
    }
  }

  /** "pid 123 (java ... kafka.Kafka ...)" for the process listening on the port, if visible. */
  static Optional<String> holder(int port) {
    Set<String> inodes = new HashSet<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      try {
        for (String line : Files.readAllLines(Path.of(table))) {
          String[] f = line.trim().split("\\s+");
          // sl local_address rem_address st ... uid timeout inode
          if (f.length < 10 || !f[1].contains(":") || !"0A".equals(f[3])) {
            continue;
          }
          String localPort = f[1].substring(f[1].lastIndexOf(':') + 1);
          try {
            if (Integer.parseInt(localPort, 16) == port) {
              inodes.add(f[9]);
            }
          } catch (NumberFormatException e) {
            // header line
          }
        }
      } catch (IOException e) {
        // not Linux, or no access: fall back to no holder
      }
    }
    if (inodes.isEmpty()) {
      return Optional.empty();
    }
    try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path proc : procs) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
          for (Path fd : fds) {
            String target;
            try {
              target = Files.readSymbolicLink(fd).toString();
            } catch (IOException e) {
              continue;
            }
            if (target.startsWith("socket:[")
                && inodes.contains(target.substring(8, target.length() - 1))) {
              long pid = Long.parseLong(proc.getFileName().toString());
              return Optional.of("pid " + pid + " (" + abbreviate(cmdline(pid), 160) + ")");
            }
          }
        } catch (IOException | SecurityException e) {
          // process gone or not ours to inspect
        }
      }
    } catch (IOException e) {
      return Optional.empty();
    }
    return Optional.of("a process this user cannot inspect");
  }

  static String cmdline(long pid) {
    return String.join(" ", ProcessControl.arguments(pid));
  }

  private static String abbreviate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max) + "...";
  }
}
