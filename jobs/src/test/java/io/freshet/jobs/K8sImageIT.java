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
}
