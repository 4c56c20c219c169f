package io.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SpecParser;
import java.io.Reader;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine;

/**
 * The feature server's Kubernetes files (k8s/serving/) against the build: the image copies the jar
 * this module makes and runs {@code serve}; the Deployment's arguments are options {@code freshet
 * serve} accepts (so a renamed option fails here, not in a cluster), its port and probes are the
 * server's, and its spec is the job's ConfigMap, mounted where the arguments look for it.
 */
class K8sFeatureServerIT {
  private static final Path K8S = Path.of("../k8s");

  @Test
  void theImageCopiesTheCliJarTheBuildMakesAndRunsServe() throws Exception {
    List<String> lines = Files.readAllLines(K8S.resolve("serving/Dockerfile"));
    Pattern copy = Pattern.compile("^COPY\\s+(cli/target/\\S+\\.jar)\\s+(\\S+)$");
    String jar = null;
    for (String l : lines) {
      Matcher m = copy.matcher(l.strip());
      if (m.matches()) {
        jar = m.group(1);
      }
    }
    assertThat(jar).as("a COPY of cli/target/*.jar").isNotNull();
    PathMatcher glob = FileSystems.getDefault().getPathMatcher("glob:" + jar);
    try (Stream<Path> files = Files.list(Path.of("target"))) {
      assertThat(
              files.map(p -> Path.of("cli/target").resolve(p.getFileName())).filter(glob::matches))
          .as("jars the build made that %s matches", jar)
          .hasSize(1);
    }
    assertThat(String.join("\n", lines))
        .contains("COPY cli/target/dependency/ /opt/freshet/lib/")
        .contains("\"io.freshet.cli.FreshetCli\", \"serve\"]");
  }

  @Test
  @SuppressWarnings("unchecked")
  void theDeploymentRunsServeWithItsOwnOptionsPortProbesAndTheJobsSpec() throws Exception {
    List<Map<String, Object>> docs = new ArrayList<>();
    try (Reader r = Files.newBufferedReader(K8S.resolve("serving/feature-server.yaml"))) {
      new Yaml().loadAll(r).forEach(d -> docs.add((Map<String, Object>) d));
    }
    Map<String, Object> deployment =
        docs.stream().filter(d -> "Deployment".equals(d.get("kind"))).findFirst().orElseThrow();
    Map<String, Object> service =
        docs.stream().filter(d -> "Service".equals(d.get("kind"))).findFirst().orElseThrow();
    Map<String, Object> pod =
        (Map<String, Object>)
            ((Map<String, Object>) ((Map<String, Object>) deployment.get("spec")).get("template"))
                .get("spec");
    Map<String, Object> container = ((List<Map<String, Object>>) pod.get("containers")).get(0);
    List<String> args =
        ((List<Object>) container.get("args")).stream().map(String::valueOf).toList();

    List<String> serve = new ArrayList<>(List.of("serve"));
    serve.addAll(args);
    CommandLine.ParseResult parsed =
        FreshetCli.commandLine().parseArgs(serve.toArray(String[]::new)).subcommand();
    assertThat(parsed.commandSpec().name()).isEqualTo("serve");
    assertThat(parsed.matchedOptionValue("--host", "")).isEqualTo("0.0.0.0");
    int port = parsed.matchedOptionValue("--port", 0);

    Map<String, Object> portSpec = ((List<Map<String, Object>>) container.get("ports")).get(0);
    assertThat(portSpec).containsEntry("containerPort", port).containsEntry("name", "http");
    Map<String, Object> servicePort =
        ((List<Map<String, Object>>) ((Map<String, Object>) service.get("spec")).get("ports"))
            .get(0);
    assertThat(servicePort.get("targetPort")).isEqualTo("http");
    assertThat(probePath(container, "livenessProbe")).isEqualTo("/health");
    assertThat(probePath(container, "readinessProbe")).isEqualTo("/ready");

    // the spec is the job's ConfigMap, mounted where --spec looks
    Path spec = Path.of(parsed.matchedOptionValue("--spec", List.<Path>of()).get(0).toString());
    Map<String, Object> mount =
        ((List<Map<String, Object>>) container.get("volumeMounts"))
            .stream()
                .filter(m -> spec.getParent().toString().equals(m.get("mountPath")))
                .findFirst()
                .orElseThrow();
    Map<String, Object> volume =
        ((List<Map<String, Object>>) pod.get("volumes"))
            .stream()
                .filter(v -> mount.get("name").equals(v.get("name")))
                .findFirst()
                .orElseThrow();
    String configMap = (String) ((Map<String, Object>) volume.get("configMap")).get("name");
    Map<String, Object> jobSpec;
    try (Reader r = Files.newBufferedReader(K8S.resolve("flink/spec-configmap.yaml"))) {
      jobSpec = new Yaml().load(r);
    }
    assertThat(((Map<String, Object>) jobSpec.get("metadata")).get("name")).isEqualTo(configMap);
    String yaml =
        (String) ((Map<String, Object>) jobSpec.get("data")).get(spec.getFileName().toString());
    assertThat(yaml).as("the ConfigMap holds %s", spec.getFileName()).isNotNull();
    FeatureSpec parsedSpec =
        SpecParser.parse(Path.of("../examples/payments").resolve(spec.getFileName()), yaml);
    assertThat(parsedSpec.views()).isNotEmpty();
  }

  @SuppressWarnings("unchecked")
  private static String probePath(Map<String, Object> container, String probe) {
    return (String)
        ((Map<String, Object>) ((Map<String, Object>) container.get(probe)).get("httpGet"))
            .get("path");
  }
}
