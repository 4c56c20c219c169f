package io.freshet.operators.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.freshet.operators.flink.DecodedEntities.Entity;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link EntityTable} against {@link LinkedHashMap} doing the same operations. */
class EntityTableTest {

  /**
   * Keys whose hash codes collide in groups ("Aa" and "BB" hash alike, so do strings built from
   * them), mixed with ordinary ones, so that probe runs are long and deletions shift entries.
   */
  private static List<String> keys(int n, Random random) {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (random.nextInt(3) == 0) {
        StringBuilder b = new StringBuilder();
        for (int bit = 0; bit < 4; bit++) {
          b.append(random.nextBoolean() ? "Aa" : "BB");
        }
        keys.add(b.toString() + (i % 3));
      } else {
        keys.add("customer-" + i);
      }
    }
    return keys;
  }

  @Test
  void behavesLikeALinkedHashMapInInsertionAndInAccessOrder() {
    for (boolean accessOrder : new boolean[] {false, true}) {
      for (long seed = 1; seed <= 20; seed++) {
        Random random = new Random(seed);
        List<String> keys = keys(300, random);
        EntityTable table = new EntityTable(4, accessOrder);
        Map<String, Entity> oracle = new LinkedHashMap<>(16, 0.75f, accessOrder);
        for (int op = 0; op < 20_000; op++) {
          String key = keys.get(random.nextInt(keys.size()));
          int what = random.nextInt(10);
          Entity inTable = table.get(key);
          Entity inOracle = oracle.get(key);
          assertThat(inTable).as("get %s (seed %d, op %d)", key, seed, op).isSameAs(inOracle);
          if (what < 5 && inTable == null) {
            Entity e = new Entity(new String(key)); // equal, not the same string
            table.put(e);
            oracle.put(key, e);
          } else if (what >= 5 && what < 8 && inTable != null) {
            table.remove(inTable);
            oracle.remove(key);
          } else if (what == 9 && table.size() > 0) {
            Entity eldest = table.eldest();
            assertThat(eldest).isSameAs(oracle.values().iterator().next());
            table.remove(eldest);
            oracle.remove((String) eldest.key);
          }
          assertThat(table.size()).isEqualTo(oracle.size());
          if (op % 1000 == 0) {
            assertThat(order(table)).isEqualTo(new ArrayList<>(oracle.values()));
          }
        }
        assertThat(order(table)).isEqualTo(new ArrayList<>(oracle.values()));
        for (String key : keys) {
          assertThat(table.get(key)).isSameAs(oracle.get(key));
        }
        table.clear();
        assertThat(table.size()).isZero();
        assertThat(table.eldest()).isNull();
        for (String key : keys) {
          assertThat(table.get(key)).isNull();
        }
      }
    }
  }

  @Test
  void removingAnEntityThatIsNotHeldIsAnError() {
    EntityTable table = new EntityTable(4, false);
    table.put(new Entity("a"));
    assertThatThrownBy(() -> table.remove(new Entity("b")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("entity b is not in the table");
  }

  private static List<Entity> order(EntityTable table) {
    List<Entity> out = new ArrayList<>();
    for (Entity e = table.eldest(); e != null; e = EntityTable.newer(e)) {
      out.add(e);
    }
    return out;
  }
}
