package io.freshet.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a test class against the real local Kafka and Cassandra: the same as
 * {@code @ExtendWith(RealServicesExtension.class)}. Declare a {@link TestServices} (or {@code
 * CqlSession}) parameter on a test method, constructor or {@code @BeforeAll}/{@code @BeforeEach}
 * method to get the class's topic prefix, keyspace, session and addresses.
 *
 * <pre>{@code
 * @RealServices
 * class OrdersIT {
 *   @Test
 *   void roundTrip(TestServices services) {
 *     String topic = services.createTopic("orders", 2);
 *     ... services.kafkaBootstrapServers() ... services.cqlSession() ... services.keyspace()
 *   }
 * }
 * }</pre>
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(RealServicesExtension.class)
public @interface RealServices {}
