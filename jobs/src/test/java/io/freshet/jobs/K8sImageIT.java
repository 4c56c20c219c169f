package io.freshet.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The job image (k8s/flink/Dockerfile) copies the jar this module builds: its COPY source matches a
 * file in jobs/target after the package phase (it once named a "-shaded" jar the build never
 * makes), and the FlinkDeployment runs the job's entry point.
 */
class K8sImageIT {
  @Test
  void theDockerfileCopiesTheJobJarTheBuildMakes() throws Exception {
    Path dockerfile = Path.of("../k8s/flink/Dockerfile");
    List<String> lines = Files.readAllLines(dockerfile);
    Pattern copy = Pattern.compile("^COPY\\s+(jobs/target/\\S+\\.jar)\\s+(\\S+)$");
    String source = null;
    for (String l : lines) {
      Matcher m = copy.matcher(l.strip());
      if (m.matches()) {
        source = m.group(1);
      }
    }
    assertThat(source).as("a COPY of jobs/target/*.jar in %s", dockerfile).isNotNull();
    PathMatcher glob = FileSystems.getDefault().getPathMatcher("glob:" + source);
    try (Stream<Path> files = Files.list(Path.of("target"))) {
      List<Path> matching =
          files
              .map(p -> Path.of("jobs/target").resolve(p.getFileName()))
              .filter(glob::matches)
              .toList();
      assertThat(matching).as("jars the build made that %s matches", source).hasSize(1);
      assertThat(matching.get(0).getFileName().toString()).endsWith("-job.jar");
    }
    String deployment = Files.readString(Path.of("../k8s/flink/freshet-job.yaml"));
    assertThat(deployment).contains("entryClass: io.freshet.jobs.FeatureJobMain");
  }

  /**
   * What the job jar leaves to the cluster's class path is what the build copies to
   * target/flink-lib/ and the Dockerfile copies into Flink's lib/: without Hadoop's client on it,
   * the official image (which has no Hadoop) could not write the history.
   */
  @Test
  void theImageGetsWhatTheJobJarLeavesToTheCluster() throws Exception {
    String dockerfile = Files.readString(Path.of("../k8s/flink/Dockerfile"));
    assertThat(dockerfile)
        .containsPattern("(?m)^COPY\\s+jobs/target/flink-lib/\\s+/opt/flink/lib/$");
    List<String> lib;
    try (Stream<Path> files = Files.list(Path.of("target/flink-lib"))) {
      lib = files.map(p -> p.getFileName().toString()).sorted().toList();
    }
    assertThat(lib)
        .as("target/flink-lib")
        .hasSize(4)
        .anyMatch(f -> f.startsWith("hadoop-client-api-"))
        .anyMatch(f -> f.startsWith("hadoop-client-runtime-"))
        .anyMatch(f -> f.startsWith("sqlite-jdbc-"))
        .anyMatch(f -> f.startsWith("iceberg-aws-bundle-"));
    Path jobJar;
    try (Stream<Path> files = Files.list(Path.of("target"))) {
      jobJar =
          files
              .filter(p -> p.getFileName().toString().endsWith("-job.jar"))
              .findFirst()
              .orElseThrow();
    }
    try (java.util.zip.ZipFile jar = new java.util.zip.ZipFile(jobJar.toFile())) {
      assertThat(jar.getEntry("org/apache/iceberg/aws/s3/S3FileIO.class"))
          .as("Iceberg's S3FileIO in the job jar")
          .isNotNull();
      assertThat(jar.getEntry("org/apache/hadoop/conf/Configuration.class"))
          .as("Hadoop in the job jar")
          .isNull();
      assertThat(jar.stream().anyMatch(e -> e.getName().startsWith("software/amazon/awssdk/")))
          .as("the AWS SDK in the job jar")
          .isFalse();
      assertThat(jar.getEntry("org/sqlite/JDBC.class"))
          .as("the SQLite driver in the job jar")
          .isNull();
    }
    assertThat(dockerfile)
        .as("Flink's S3 file system enabled as a plugin")
        .contains("/opt/flink/plugins/s3-fs-hadoop");
  }
}
