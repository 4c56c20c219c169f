package io.freshet.services;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.plugin.DefaultPluginManager;
import org.apache.flink.core.plugin.DirectoryBasedPluginFinder;
import org.apache.flink.core.plugin.PluginConfig;
import org.apache.flink.core.plugin.PluginDescriptor;
import org.apache.flink.core.plugin.PluginManager;

/**
 * Flink's S3 file system (flink-s3-fs-hadoop, for {@code s3://} checkpoints and savepoints) as a
 * plugin, the way a Flink distribution runs it: in a class loader of its own. On the application
 * class path its shaded Hadoop would read the Hadoop defaults of the job's own Hadoop client and
 * fail (a "60s" where it expects a number of milliseconds). The jar is resolved by
 * local-services/flink-cluster into the resource {@code
 * freshet/servers/flink-s3-fs-hadoop.classpath}; it stays in the local Maven repository.
 */
public final class FlinkPlugins {
  /** The plugin's id, and its directory's name in a plugins directory. */
  static final String S3_PLUGIN = "s3-fs-hadoop";

  private FlinkPlugins() {}

  /**
   * The plugins a process running Flink in a MiniCluster loads: those of Flink's plugins directory
   * ({@code FLINK_PLUGINS_DIR}, if it has any) and the S3 file system unless that directory has it.
   */
  public static PluginManager manager(Configuration conf) throws IOException {
    PluginConfig config = PluginConfig.fromConfiguration(conf);
    List<PluginDescriptor> plugins = new ArrayList<>();
    if (config.getPluginsPath().isPresent()) {
      new DirectoryBasedPluginFinder(config.getPluginsPath().get())
          .findPlugins()
          .forEach(plugins::add);
    }
    if (plugins.stream().noneMatch(p -> p.getPluginId().equals(S3_PLUGIN))) {
      List<URL> urls = new ArrayList<>();
      for (Path jar : s3Jars()) {
        urls.add(url(jar));
      }
      plugins.add(new PluginDescriptor(S3_PLUGIN, urls.toArray(URL[]::new), new String[0]));
    }
    return new DefaultPluginManager(plugins, config.getAlwaysParentFirstPatterns());
  }

  /**
   * Lays out a plugins directory for a cluster's JVMs ({@code FLINK_PLUGINS_DIR}): {@code
   * <dir>/s3-fs-hadoop/} with a link to each of the plugin's jars.
   */
  static Path install(Path pluginsDir) throws IOException {
    Path plugin = pluginsDir.resolve(S3_PLUGIN);
    Files.createDirectories(plugin);
    for (Path jar : s3Jars()) {
      Path link = plugin.resolve(jar.getFileName());
      Files.deleteIfExists(link);
      Files.createSymbolicLink(link, jar);
    }
    return pluginsDir;
  }

  private static List<Path> s3Jars() {
    return ServerClasspath.of("flink-s3-fs-hadoop", "Flink's S3 file system").entries();
  }

  private static URL url(Path jar) {
    try {
      return jar.toUri().toURL();
    } catch (MalformedURLException e) {
      throw new IllegalArgumentException(jar.toString(), e);
    }
  }
}
