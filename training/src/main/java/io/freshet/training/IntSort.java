package io.freshet.training;

/** Sorting an int permutation by a primitive comparator, without boxing (stable merge sort). */
final class IntSort {
  private IntSort() {}

  interface IntComparator {
    int compare(int a, int b);
  }

  static int[] identity(int n) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    return a;
  }

  /**
   * Rows ordered by group (dense ids 0..groups-1, counting sort, linear), then within each group by
   * the comparator. Groups are entities, so the per-group sorts are small.
   */
  static int[] groupSort(int[] group, int size, int groups, IntComparator within) {
    int[] start = new int[groups + 1];
    for (int i = 0; i < size; i++) {
      start[group[i] + 1]++;
    }
    for (int g = 0; g < groups; g++) {
      start[g + 1] += start[g];
    }
    int[] order = new int[size];
    int[] fill = java.util.Arrays.copyOf(start, groups);
    for (int i = 0; i < size; i++) {
      order[fill[group[i]]++] = i;
    }
    for (int g = 0; g < groups; g++) {
      int from = start[g];
      int to = start[g + 1];
      if (to - from < 2) {
        continue;
      }
      if (to - from >= 24) {
        int[] segment = java.util.Arrays.copyOfRange(order, from, to);
        mergeSort(segment.clone(), segment, 0, segment.length, within);
        System.arraycopy(segment, 0, order, from, segment.length);
      } else {
        for (int i = from + 1; i < to; i++) {
          int v = order[i];
          int j = i - 1;
          while (j >= from && within.compare(order[j], v) > 0) {
            order[j + 1] = order[j];
            j--;
          }
          order[j + 1] = v;
        }
      }
    }
    return order;
  }

  static void sort(int[] a, IntComparator c) {
    if (a.length < 2) {
      return;
    }
    int[] tmp = a.clone();
    mergeSort(tmp, a, 0, a.length, c);
  }

  /** Sorts src[from, to) into dst[from, to); src is scratch. */
  private static void mergeSort(int[] src, int[] dst, int from, int to, IntComparator c) {
    int n = to - from;
    if (n < 24) {
      for (int i = from + 1; i < to; i++) {
        int v = dst[i];
        int j = i - 1;
        while (j >= from && c.compare(dst[j], v) > 0) {
          dst[j + 1] = dst[j];
          j--;
        }
        dst[j + 1] = v;
      }
      return;
    }
    int mid = (from + to) >>> 1;
    mergeSort(dst, src, from, mid, c);
    mergeSort(dst, src, mid, to, c);
    if (c.compare(src[mid - 1], src[mid]) <= 0) {
      System.arraycopy(src, from, dst, from, n);
      return;
    }
    for (int i = from, p = from, q = mid; i < to; i++) {
      if (q >= to || (p < mid && c.compare(src[p], src[q]) <= 0)) {
        dst[i] = src[p++];
      } else {
        dst[i] = src[q++];
      }
    }
  }
}
