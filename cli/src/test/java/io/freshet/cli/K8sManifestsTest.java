package io.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.freshet.jobs.FeatureJobMain;
import java.beans.Introspector;
import java.beans.PropertyDescriptor;
import java.io.Reader;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * Every manifest under k8s/ parses strictly into its kind's model: the core and apps kinds into
 * Kubernetes' own model classes (fabric8's, generated from Kubernetes' OpenAPI), with any field the
 * model does not know reported as an error (fabric8 keeps unknown fields aside instead of failing);
 * the FlinkDeployment into {@link FlinkDeploymentModel}, written from the operator's v1beta1 CRD
 * (its API classes are not served from Maven here), its pod template into Kubernetes' Pod. Then the
 * FlinkDeployment's job is checked against what the build makes: the jar the image copies, and
 * arguments the job's main accepts, with the spec from the ConfigMap it mounts.
 */
class K8sManifestsTest {
  private static final Path K8S = Path.of("../k8s");

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private static final Map<String, Class<?>> KINDS =
      Map.of(
          "v1/Namespace", Namespace.class,
          "v1/Service", Service.class,
          "v1/ConfigMap", ConfigMap.class,
          "v1/Secret", Secret.class,
          "v1/PersistentVolumeClaim", PersistentVolumeClaim.class,
          "apps/v1/Deployment", Deployment.class,
          "apps/v1/StatefulSet", StatefulSet.class,
          "batch/v1/CronJob", io.fabric8.kubernetes.api.model.batch.v1.CronJob.class,
          "flink.apache.org/v1beta1/FlinkDeployment", FlinkDeploymentModel.class,
          "kustomize.config.k8s.io/v1beta1/Kustomization", KustomizationModel.class);

  /** spec of a FlinkDeployment (flink.apache.org/v1beta1), the fields of the operator's CRD. */
  record FlinkDeploymentModel(
      String apiVersion,
      String kind,
      io.fabric8.kubernetes.api.model.ObjectMeta metadata,
      Spec spec) {
    record Spec(
        String image,
        String imagePullPolicy,
        String serviceAccount,
        FlinkVersion flinkVersion,
        Map<String, Object> ingress,
        Pod podTemplate,
        Long restartNonce,
        Map<String, String> flinkConfiguration,
        Map<String, String> logConfiguration,
        Process jobManager,
        Process taskManager,
        Job job,
        Mode mode) {}

    record Process(
        Resource resource, Integer replicas, Pod podTemplate, ResourceRequirements resources) {}

    record Resource(Double cpu, String memory, String ephemeralStorage) {}

    record Job(
        String jarURI,
        Integer parallelism,
        String entryClass,
        List<String> args,
        State state,
        Long savepointTriggerNonce,
        String initialSavepointPath,
        Long checkpointTriggerNonce,
        UpgradeMode upgradeMode,
        Boolean allowNonRestoredState,
        Long savepointRedeployNonce,
        Long autoscalerResetNonce) {}

    enum FlinkVersion {
      v1_13,
      v1_14,
      v1_15,
      v1_16,
      v1_17,
      v1_18,
      v1_19,
      v1_20,
      v2_0,
      v2_1,
      v2_2,
      v2_3,
      v2_4
    }

    enum State {
      running,
      suspended
    }

    enum UpgradeMode {
      @com.fasterxml.jackson.annotation.JsonProperty("last-state")
      LAST_STATE,
      @com.fasterxml.jackson.annotation.JsonProperty("savepoint")
      SAVEPOINT,
      @com.fasterxml.jackson.annotation.JsonProperty("stateless")
      STATELESS
    }

    enum Mode {
      @com.fasterxml.jackson.annotation.JsonProperty("native")
      NATIVE,
      @com.fasterxml.jackson.annotation.JsonProperty("standalone")
      STANDALONE
    }
  }

  /** The fields of a Kustomization that k8s/ uses. */
  record KustomizationModel(
      String apiVersion,
      String kind,
      String namespace,
      List<String> resources,
      List<Map<String, Object>> configMapGenerator,
      List<Map<String, String>> patches) {}

  /** A parsed document: where it came from and its model. */
  record Manifest(Path file, int index, String kind, Object model) {}

  @Test
  void everyManifestParsesStrictlyIntoItsKindsModel() throws Exception {
    List<Manifest> all = manifests();
    assertThat(all).extracting(Manifest::kind).contains("FlinkDeployment", "Deployment");
    List<String> problems = new ArrayList<>();
    for (Manifest m : all) {
      unknownFields(m.model(), m.file() + " #" + m.index() + " " + m.kind(), problems);
    }
    assertThat(problems).as("fields the kinds' models do not know").isEmpty();
  }

  @Test
  void aMisspelledFieldIsFound() {
    Map<String, Object> typo =
        new Yaml()
            .load(
                "apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {ports: [{port: 1, targetPrt: 2}]}\n");
    List<String> problems = new ArrayList<>();
    unknownFields(MAPPER.convertValue(typo, Service.class), "typo", problems);
    assertThat(problems).singleElement().asString().contains("targetPrt");
    Map<String, Object> flink =
        new Yaml()
            .load(
                "apiVersion: flink.apache.org/v1beta1\nkind: FlinkDeployment\nspec: {job: {jarUri: x}}\n");
    assertThatThrownBy(() -> MAPPER.convertValue(flink, FlinkDeploymentModel.class))
        .hasMessageContaining("jarUri");
  }

  @Test
  void theFlinkDeploymentRunsTheJarTheImageCopiesWithArgumentsTheJobAccepts(@TempDir Path tmp)
      throws Exception {
    List<Manifest> all =
        manifests().stream().filter(m -> m.file().startsWith(K8S.resolve("flink"))).toList();
    theJobRuns(all, tmp);
  }

  /**
   * The base (k8s/kustomization.yaml) and each overlay build, as {@code kubectl apply -k} would,
   * into documents that parse strictly into their kinds' models; the base lists every manifest
   * under k8s/; each patch meets exactly one document of the base; each built FlinkDeployment runs
   * the image's jar with arguments the job accepts, at a parallelism its TaskManagers' slots hold.
   */
  @Test
  void theBaseAndEveryOverlayBuildIntoValidManifests(@TempDir Path tmp) throws Exception {
    List<Map<String, Object>> base = build(K8S);
    List<String> listed = new ArrayList<>();
    for (Map<String, Object> d : base) {
      listed.add(d.get("kind") + "/" + name(d));
    }
    for (Manifest m : manifests()) {
      if (!m.file().startsWith(K8S.resolve("overlays")) && !m.kind().equals("Kustomization")) {
        Object meta = MAPPER.convertValue(m.model(), Map.class).get("metadata");
        assertThat(listed)
            .as("%s #%d in the base kustomization", m.file(), m.index())
            .contains(m.kind() + "/" + ((Map<?, ?>) meta).get("name"));
      }
    }
    List<Path> overlays;
    try (Stream<Path> s = Files.list(K8S.resolve("overlays"))) {
      overlays = s.filter(Files::isDirectory).sorted().toList();
    }
    assertThat(overlays).extracting(p -> p.getFileName().toString()).contains("small", "large");
    for (Path overlay : overlays) {
      List<Map<String, Object>> docs = build(overlay);
      assertThat(docs).as("%s builds every document of the base", overlay).hasSize(base.size());
      List<Manifest> built = new ArrayList<>();
      List<String> problems = new ArrayList<>();
      int i = 0;
      for (Map<String, Object> d : docs) {
        Manifest m = parse(overlay, ++i, d);
        unknownFields(m.model(), overlay + " " + m.kind() + "/" + name(d), problems);
        built.add(m);
      }
      assertThat(problems).as("fields the kinds' models do not know in %s", overlay).isEmpty();
      FlinkDeploymentModel fd = theJobRuns(built, tmp);
      int slots =
          Integer.parseInt(fd.spec().flinkConfiguration().get("taskmanager.numberOfTaskSlots"));
      Integer replicas = fd.spec().taskManager().replicas();
      assertThat(fd.spec().job().parallelism())
          .as("%s: the job's parallelism within its TaskManagers' slots", overlay)
          .isLessThanOrEqualTo((replicas == null ? 1 : replicas) * slots);
    }
  }

  /**
   * The consistency CronJob runs the CLI's main class, which the feature server's image holds, with
   * arguments its check-consistency command accepts, reading the spec from the ConfigMap mounted
   * where --spec points.
   */
  @Test
  void theConsistencyCronJobRunsACommandTheCliAccepts() throws Exception {
    List<io.fabric8.kubernetes.api.model.batch.v1.CronJob> jobs =
        manifests().stream()
            .map(Manifest::model)
            .filter(io.fabric8.kubernetes.api.model.batch.v1.CronJob.class::isInstance)
            .map(io.fabric8.kubernetes.api.model.batch.v1.CronJob.class::cast)
            .toList();
    assertThat(jobs).hasSize(1);
    var pod = jobs.get(0).getSpec().getJobTemplate().getSpec().getTemplate().getSpec();
    var container = pod.getContainers().get(0);
    assertThat(container.getCommand()).endsWith(FreshetCli.class.getName());
    assertThat(Files.readString(K8S.resolve("serving/Dockerfile")))
        .contains("COPY cli/target/dependency/ /opt/freshet/lib/");
    List<String> args = container.getArgs();
    assertThat(args.get(0)).isEqualTo("check-consistency");
    picocli.CommandLine.ParseResult parsed =
        new picocli.CommandLine(new FreshetCli()).parseArgs(args.toArray(String[]::new));
    assertThat(parsed.subcommand().commandSpec().name()).isEqualTo("check-consistency");
    assertThat(parsed.subcommand().unmatched()).isEmpty();
    String spec = args.get(args.indexOf("--spec") + 1);
    assertThat(container.getVolumeMounts())
        .anyMatch(m -> m.getMountPath().equals(Path.of(spec).getParent().toString()));
    assertThat(pod.getVolumes())
        .anyMatch(
            v -> v.getConfigMap() != null && v.getConfigMap().getName().equals("freshet-spec"));
  }

  /** Checks the job of the one FlinkDeployment among {@code all} and returns it. */
  private static FlinkDeploymentModel theJobRuns(List<Manifest> all, Path tmp) throws Exception {
    List<FlinkDeploymentModel> deployments =
        all.stream()
            .map(Manifest::model)
            .filter(FlinkDeploymentModel.class::isInstance)
            .map(FlinkDeploymentModel.class::cast)
            .toList();
    assertThat(deployments).as("FlinkDeployments").hasSize(1);
    FlinkDeploymentModel fd = deployments.get(0);
    // the jar: the image's COPY destination
    Matcher copy =
        Pattern.compile("(?m)^COPY\\s+jobs/target/\\S+-job\\.jar\\s+(\\S+)$")
            .matcher(Files.readString(K8S.resolve("flink/Dockerfile")));
    assertThat(copy.find()).as("the Dockerfile's COPY of the job jar").isTrue();
    assertThat(fd.spec().job().jarURI()).isEqualTo("local://" + copy.group(1));
    assertThat(fd.spec().job().entryClass()).isEqualTo(FeatureJobMain.class.getName());

    // the spec: the file of the ConfigMap mounted where --spec points
    Pod pod = fd.spec().podTemplate();
    Map<String, String> mounts = new LinkedHashMap<>();
    for (VolumeMount vm : pod.getSpec().getContainers().get(0).getVolumeMounts()) {
      mounts.put(vm.getMountPath(), vm.getName());
    }
    List<String> args = new ArrayList<>(fd.spec().job().args());
    int specAt = args.indexOf("--spec") + 1;
    assertThat(specAt).as("--spec among the job's arguments").isPositive();
    Path specPath = Path.of(args.get(specAt));
    String volume = mounts.get(specPath.getParent().toString());
    assertThat(volume).as("a volume mounted at %s", specPath.getParent()).isNotNull();
    String configMap =
        pod.getSpec().getVolumes().stream()
            .filter(v -> v.getName().equals(volume))
            .map(Volume::getConfigMap)
            .findFirst()
            .orElseThrow()
            .getName();
    ConfigMap cm =
        all.stream()
            .map(Manifest::model)
            .filter(ConfigMap.class::isInstance)
            .map(ConfigMap.class::cast)
            .filter(c -> c.getMetadata().getName().equals(configMap))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no ConfigMap " + configMap + " in k8s/"));
    String yaml = cm.getData().get(specPath.getFileName().toString());
    assertThat(yaml).as("%s in ConfigMap %s", specPath.getFileName(), configMap).isNotNull();
    Path local = tmp.resolve(specPath.getFileName());
    Files.writeString(local, yaml);
    args.set(specAt, local.toString());

    FeatureJobMain.Arguments parsed = FeatureJobMain.arguments(args.toArray(String[]::new));
    assertThat(parsed.spec().views()).isNotEmpty();
    assertThat(parsed.conf().keySet()).allMatch(k -> k.startsWith("freshet."));
    return fd;
  }

  private static List<Manifest> manifests() throws Exception {
    List<Manifest> out = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> s = Files.walk(K8S)) {
      files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertThat(files).isNotEmpty();
    for (Path f : files) {
      int i = 0;
      try (Reader r = Files.newBufferedReader(f)) {
        for (Object doc : new Yaml().loadAll(r)) {
          i++;
          if (doc == null) {
            continue;
          }
          @SuppressWarnings("unchecked")
          Map<String, Object> map = (Map<String, Object>) doc;
          out.add(parse(f, i, map));
        }
      }
    }
    return out;
  }

  /** One document into its kind's model. */
  private static Manifest parse(Path f, int i, Map<String, Object> map) {
    String key = map.get("apiVersion") + "/" + map.get("kind");
    Class<?> type = KINDS.get(key);
    assertThat(type).as("a model for %s (%s #%d)", key, f, i).isNotNull();
    try {
      return new Manifest(f, i, (String) map.get("kind"), MAPPER.convertValue(map, type));
    } catch (IllegalArgumentException e) {
      throw new AssertionError(f + " #" + i + " " + key + ": " + e.getMessage(), e);
    }
  }

  private static Object name(Map<String, Object> doc) {
    return ((Map<?, ?>) doc.get("metadata")).get("name");
  }

  /**
   * The documents of a kustomization directory, as kustomize builds them for what k8s/ uses:
   * resources (files, or directories with a kustomization of their own), ConfigMaps from
   * configMapGenerator, the namespace, and patches, each matched to one document by apiVersion,
   * kind and name and merged into it the strategic way for what the patches touch: maps merge,
   * lists of named items merge by name, any other value replaces.
   */
  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> build(Path dir) throws Exception {
    Path file = dir.resolve("kustomization.yaml");
    assertThat(file).as("a kustomization in %s", dir).isRegularFile();
    Map<String, Object> k = new Yaml().load(Files.readString(file));
    KustomizationModel model = MAPPER.convertValue(k, KustomizationModel.class);
    List<Map<String, Object>> out = new ArrayList<>();
    for (String r : model.resources() == null ? List.<String>of() : model.resources()) {
      Path p = dir.resolve(r).normalize();
      assertThat(p).as("resource %s of %s", r, file).exists();
      if (Files.isDirectory(p)) {
        out.addAll(build(p));
      } else {
        try (Reader in = Files.newBufferedReader(p)) {
          for (Object doc : new Yaml().loadAll(in)) {
            if (doc != null) {
              out.add((Map<String, Object>) doc);
            }
          }
        }
      }
    }
    for (Map<String, Object> g :
        model.configMapGenerator() == null
            ? List.<Map<String, Object>>of()
            : model.configMapGenerator()) {
      Map<String, Object> data = new LinkedHashMap<>();
      for (Object f : (List<Object>) g.get("files")) {
        Path p = dir.resolve(f.toString());
        assertThat(p).as("file %s of %s", f, file).isRegularFile();
        data.put(p.getFileName().toString(), Files.readString(p));
      }
      Map<String, Object> meta = new LinkedHashMap<>();
      meta.put("name", g.get("name"));
      Object options = g.get("options");
      if (options instanceof Map<?, ?> o && o.get("labels") != null) {
        meta.put("labels", o.get("labels"));
      }
      Map<String, Object> cm = new LinkedHashMap<>();
      cm.put("apiVersion", "v1");
      cm.put("kind", "ConfigMap");
      cm.put("metadata", meta);
      cm.put("data", data);
      out.add(cm);
    }
    if (model.namespace() != null) {
      for (Map<String, Object> d : out) {
        if (!"Namespace".equals(d.get("kind"))) {
          ((Map<String, Object>) d.get("metadata")).put("namespace", model.namespace());
        }
      }
    }
    for (Map<String, String> patch :
        model.patches() == null ? List.<Map<String, String>>of() : model.patches()) {
      Path p = dir.resolve(patch.get("path"));
      assertThat(p).as("patch %s of %s", patch, file).isRegularFile();
      Map<String, Object> doc = new Yaml().load(Files.readString(p));
      List<Map<String, Object>> targets =
          out.stream()
              .filter(
                  d ->
                      d.get("apiVersion").equals(doc.get("apiVersion"))
                          && d.get("kind").equals(doc.get("kind"))
                          && name(d).equals(name(doc)))
              .toList();
      assertThat(targets).as("documents patch %s applies to", p).hasSize(1);
      merge(targets.get(0), doc);
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static void merge(Map<String, Object> base, Map<String, Object> patch) {
    patch.forEach(
        (key, value) -> {
          Object old = base.get(key);
          if (value instanceof Map<?, ?> m && old instanceof Map<?, ?> o) {
            merge((Map<String, Object>) o, (Map<String, Object>) m);
          } else if (value instanceof List<?> l
              && old instanceof List<?> o
              && named(l)
              && named(o)) {
            List<Object> merged = new ArrayList<>(o);
            for (Object item : l) {
              Object n = ((Map<?, ?>) item).get("name");
              Map<String, Object> same =
                  (Map<String, Object>)
                      merged.stream()
                          .filter(x -> n.equals(((Map<?, ?>) x).get("name")))
                          .findFirst()
                          .orElse(null);
              if (same == null) {
                merged.add(item);
              } else {
                merge(same, (Map<String, Object>) item);
              }
            }
            base.put(key, merged);
          } else {
            base.put(key, value);
          }
        });
  }

  private static boolean named(List<?> items) {
    return !items.isEmpty()
        && items.stream().allMatch(i -> i instanceof Map<?, ?> m && m.get("name") != null);
  }

  /**
   * Reports every non-empty {@code additionalProperties} of fabric8 model objects (where they keep
   * the fields their class does not have), walking records, beans, lists and maps.
   */
  private static void unknownFields(Object o, String path, List<String> problems) {
    if (o == null
        || o instanceof String
        || o instanceof Number
        || o instanceof Boolean
        || o instanceof Enum<?>) {
      return;
    }
    if (o instanceof Collection<?> c) {
      int i = 0;
      for (Object e : c) {
        unknownFields(e, path + "[" + i++ + "]", problems);
      }
      return;
    }
    if (o instanceof Map<?, ?> m) {
      m.forEach((k, v) -> unknownFields(v, path + "." + k, problems));
      return;
    }
    Class<?> type = o.getClass();
    try {
      if (type.isRecord()) {
        for (var c : type.getRecordComponents()) {
          unknownFields(c.getAccessor().invoke(o), path + "." + c.getName(), problems);
        }
        return;
      }
      if (!type.getPackageName().startsWith("io.fabric8.kubernetes.api.model")) {
        return;
      }
      for (PropertyDescriptor p :
          Introspector.getBeanInfo(type, Object.class).getPropertyDescriptors()) {
        Method get = p.getReadMethod();
        if (get == null) {
          continue;
        }
        Object v = get.invoke(o);
        if (p.getName().equals("additionalProperties")) {
          if (v instanceof Map<?, ?> extra && !extra.isEmpty()) {
            problems.add(path + ": unknown " + extra.keySet());
          }
        } else {
          unknownFields(v, path + "." + p.getName(), problems);
        }
      }
    } catch (ReflectiveOperationException | java.beans.IntrospectionException e) {
      throw new IllegalStateException("cannot walk " + type + " at " + path, e);
    }
  }
}
