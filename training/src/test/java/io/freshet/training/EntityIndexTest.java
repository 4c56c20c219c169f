package io.freshet.training;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.parquet.io.api.Binary;
import org.junit.jupiter.api.Test;

/** Entity ids by UTF-8 bytes, through growth of every array, found from text and from Parquet. */
class EntityIndexTest {
  @Test
  void idsInAddOrderFoundByTextBytesAndBinary() {
    EntityIndex index = new EntityIndex();
    int n = 50_000;
    for (int i = 0; i < n; i++) {
      assertThat(index.add("customer-" + i + (i % 7 == 0 ? "-é" : ""))).isEqualTo(i);
    }
    assertThat(index.add("customer-5")).isEqualTo(5);
    assertThat(index.size()).isEqualTo(n);
    for (int i = 0; i < n; i++) {
      String e = "customer-" + i + (i % 7 == 0 ? "-é" : "");
      assertThat(index.idOf(e)).isEqualTo(i);
      assertThat(index.text(i)).isEqualTo(e);
      byte[] padded = ("xx" + e + "yy").getBytes(StandardCharsets.UTF_8);
      assertThat(index.idOf(padded, 2, padded.length - 4)).isEqualTo(i);
      ByteBuffer direct = ByteBuffer.allocateDirect(padded.length).put(padded);
      assertThat(index.idOf(Binary.fromConstantByteBuffer(direct, 2, padded.length - 4)))
          .isEqualTo(i);
    }
    assertThat(index.idOf("customer-" + n)).isEqualTo(-1);
    assertThat(index.idOf("")).isEqualTo(-1);
    assertThat(index.idOf("customer-1-é")).isEqualTo(-1);
  }

  @Test
  void groupingByPartitionKeepsEveryEntityAndMakesPartitionsConsecutive() {
    EntityIndex index = new EntityIndex();
    int n = 20_000;
    for (int i = 0; i < n; i++) {
      index.add("e" + i);
    }
    int bits = 5;
    int[] newId = index.groupByPartition(bits);
    int lastPartition = -1;
    for (int id = 0; id < n; id++) {
      byte[] b = index.text(id).getBytes(StandardCharsets.UTF_8);
      int q = EntityIndex.partition(EntityIndex.hash(b, 0, b.length), bits);
      assertThat(q).isGreaterThanOrEqualTo(lastPartition);
      lastPartition = q;
    }
    assertThat(lastPartition).isEqualTo((1 << bits) - 1);
    for (int i = 0; i < n; i++) {
      assertThat(index.idOf("e" + i)).isEqualTo(newId[i]);
      assertThat(index.text(newId[i])).isEqualTo("e" + i);
    }
    assertThat(index.add("new")).isEqualTo(n);
    assertThat(index.idOf("new")).isEqualTo(n);
  }
}
