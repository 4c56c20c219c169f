package io.freshet.testing;

import com.datastax.oss.driver.api.core.CqlSession;
import io.freshet.services.LocalServices;
import io.freshet.services.ServiceStatus;
import io.freshet.services.ServicesConfig;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JUnit 5 extension giving a test class real Kafka and Cassandra servers (see {@link
 * RealServices}).
 *
 * <p>Once per test JVM it looks at the state dir ({@link ServicesConfig#fromEnvironment()}: the
 * system property {@code freshet.home}, which failsafe sets to the checkout, gives {@code
 * <checkout>/.freshet}): services already running there (e.g. started by {@code bin/freshet
 * services start} in .ci/run) are reused; missing ones are started, and stopped when the last test
 * JVM using them is done (JVMs register leases in the state dir, see {@link
 * LocalServices#startShared()}). Each test class gets its own {@link TestServices}: a unique topic
 * prefix and a keyspace created before the class and dropped after it, with its topics.
 *
 * <p>Resolves parameters of type {@link TestServices} and {@link CqlSession} (the class's session,
 * bound to its keyspace; do not close it).
 */
public final class RealServicesExtension
    implements BeforeAllCallback, AfterAllCallback, ParameterResolver {
  private static final Logger LOG = LoggerFactory.getLogger(RealServicesExtension.class);
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(RealServicesExtension.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    SharedServices shared =
        context
            .getRoot()
            .getStore(NAMESPACE)
            .getOrComputeIfAbsent(
                SharedServices.class, k -> SharedServices.acquire(), SharedServices.class);
    TestServices services = TestServices.open(shared.services, context.getRequiredTestClass());
    context.getStore(NAMESPACE).put(TestServices.class, services);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    TestServices services =
        context.getStore(NAMESPACE).remove(TestServices.class, TestServices.class);
    if (services != null) {
      services.close();
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == TestServices.class || type == CqlSession.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    TestServices services = classServices(context);
    return parameter.getParameter().getType() == CqlSession.class
        ? services.cqlSession()
        : services;
  }

  private static TestServices classServices(ExtensionContext context) {
    ExtensionContext c = context;
    while (c != null) {
      TestServices s = c.getStore(NAMESPACE).get(TestServices.class, TestServices.class);
      if (s != null) {
        return s;
      }
      c = c.getParent().orElse(null);
    }
    throw new IllegalStateException(
        "RealServicesExtension has no services for " + context.getDisplayName());
  }

  /**
   * The JVM-wide services. Holds a lease in the state dir while this JVM's tests run, so that
   * several test JVMs (modules, forks, engineers) can share one set of servers: the last one to
   * leave stops what was started for tests; servers started by {@code freshet services start} are
   * never stopped.
   */
  static final class SharedServices
      implements ExtensionContext.Store.CloseableResource, AutoCloseable {
    final LocalServices services;
    private final Thread shutdownHook;
    private boolean released;

    private SharedServices(LocalServices services) {
      this.services = services;
      // Also when the JVM ends without JUnit closing the store.
      this.shutdownHook = new Thread(this::release, "freshet-real-services-release");
      Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    static SharedServices acquire() {
      LocalServices services = new LocalServices(ServicesConfig.fromEnvironment());
      List<ServiceStatus> results = services.startShared();
      results.forEach(s -> LOG.info("{}", s.describe()));
      return new SharedServices(services);
    }

    private synchronized void release() {
      if (!released) {
        released = true;
        services.releaseShared().forEach(s -> LOG.info("{}", s.describe()));
      }
    }

    @Override
    public void close() {
      release();
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException | IllegalArgumentException e) {
        // already shutting down
      }
    }
  }
}
