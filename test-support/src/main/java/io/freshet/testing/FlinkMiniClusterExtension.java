package io.freshet.testing;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Freshet's Flink MiniCluster for tests: flink-test-utils' {@link MiniClusterExtension} with one
 * TaskManager of {@value #PARALLELISM} slots, default parallelism {@value #PARALLELISM} and small
 * managed memory, sized for 2-core machines. One cluster per test class; {@code
 * StreamExecutionEnvironment.getExecutionEnvironment()} in a test returns an environment bound to
 * it, and {@code @InjectMiniCluster MiniCluster} / {@code @InjectClusterClient ClusterClient<?>}
 * parameters are resolved.
 *
 * <pre>{@code
 * @ExtendWith(FlinkMiniClusterExtension.class)
 * class FeatureJobIT { ... }
 *
 * // or, to reach the extension (e.g. getClientConfiguration()):
 * @RegisterExtension static final MiniClusterExtension FLINK = FlinkMiniClusterExtension.create();
 * }</pre>
 */
public final class FlinkMiniClusterExtension
    implements BeforeAllCallback,
        BeforeEachCallback,
        AfterEachCallback,
        AfterAllCallback,
        ParameterResolver {
  public static final int PARALLELISM = 2;

  private final MiniClusterExtension delegate = create();

  /** A configured flink-test-utils MiniClusterExtension, for {@code @RegisterExtension}. */
  public static MiniClusterExtension create() {
    return new MiniClusterExtension(
        new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(PARALLELISM)
            .setConfiguration(configuration())
            .build());
  }

  /** The cluster configuration: parallelism and memory for small machines. */
  public static Configuration configuration() {
    Configuration conf = new Configuration();
    conf.set(CoreOptions.DEFAULT_PARALLELISM, PARALLELISM);
    conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse("128m"));
    conf.set(TaskManagerOptions.NETWORK_MEMORY_MIN, MemorySize.parse("64m"));
    conf.set(TaskManagerOptions.NETWORK_MEMORY_MAX, MemorySize.parse("64m"));
    return conf;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    delegate.beforeAll(context);
  }

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    delegate.beforeEach(context);
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    delegate.afterEach(context);
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    delegate.afterAll(context);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return delegate.supportsParameter(parameter, context);
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return delegate.resolveParameter(parameter, context);
  }
}
