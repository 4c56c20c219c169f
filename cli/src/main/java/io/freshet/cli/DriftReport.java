package io.freshet.cli;

import io.freshet.spec.ValueType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How far production values of features have moved from a training set's: per feature, the
 * population stability index (PSI) over bins fixed by the training values, and for numbers the
 * two-sample Kolmogorov-Smirnov statistic; with the histograms behind them, for the terminal and a
 * self-contained HTML page.
 *
 * <p>Bins: numbers get the training values' deciles as edges (fewer when values repeat), plus one
 * bin for values below and above the training range; strings and booleans get the training set's 20
 * most common values plus "other". Nulls are left out of both and reported as null shares. PSI =
 * sum over bins of (p - q) ln(p / q), with empty bins counted as 0.0001 of their side, a common
 * reading being below 0.1 stable, 0.1-0.25 moderate, above 0.25 a shift.
 */
final class DriftReport {
  /** Categories kept for strings and booleans; the rest is "other". */
  static final int CATEGORIES = 20;

  private static final double EMPTY = 1e-4;

  /** One feature's comparison. */
  record Feature(
      String name,
      ValueType type,
      long trainingCount,
      long productionCount,
      double trainingNullShare,
      double productionNullShare,
      double psi,
      Double ks,
      List<String> bins,
      double[] trainingShare,
      double[] productionShare,
      double[] histogramEdges,
      double[] trainingHistogram,
      double[] productionHistogram,
      boolean drifted) {}

  /** Equal-width bins of the numbers' histogram, over both samples' range. */
  static final int HISTOGRAM_BINS = 24;

  private DriftReport() {}

  /**
   * Compares one feature.
   *
   * @param training the training set's values (nulls included)
   * @param production production's values (nulls included)
   */
  static Feature compare(
      String name,
      ValueType type,
      List<Object> training,
      List<Object> production,
      double maxPsi,
      double maxKs) {
    List<Object> t = training.stream().filter(v -> v != null).toList();
    List<Object> p = production.stream().filter(v -> v != null).toList();
    double tNull = share(training.size() - t.size(), training.size());
    double pNull = share(production.size() - p.size(), production.size());
    if (type.isNumeric()) {
      double[] tv = t.stream().mapToDouble(v -> ((Number) v).doubleValue()).sorted().toArray();
      double[] pv = p.stream().mapToDouble(v -> ((Number) v).doubleValue()).sorted().toArray();
      double[] edges = edges(tv);
      List<String> labels = labels(edges);
      double[] ts = shares(tv, edges);
      double[] ps = shares(pv, edges);
      double psi = tv.length == 0 || pv.length == 0 ? Double.NaN : psi(ts, ps);
      Double ks = tv.length == 0 || pv.length == 0 ? null : ks(tv, pv);
      boolean drifted = psi > maxPsi || (ks != null && ks > maxKs);
      double[] hist = histogramEdges(tv, pv);
      return new Feature(
          name,
          type,
          t.size(),
          p.size(),
          tNull,
          pNull,
          psi,
          ks,
          labels,
          ts,
          ps,
          hist,
          hist == null ? null : histogram(tv, hist),
          hist == null ? null : histogram(pv, hist),
          drifted);
    }
    Map<String, Long> counts = new HashMap<>();
    for (Object v : t) {
      counts.merge(v.toString(), 1L, Long::sum);
    }
    List<String> kept =
        counts.entrySet().stream()
            .sorted(
                Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
                    .thenComparing(Map.Entry.comparingByKey()))
            .limit(CATEGORIES)
            .map(Map.Entry::getKey)
            .toList();
    List<String> labels = new ArrayList<>(kept);
    labels.add("other");
    double[] ts = categoryShares(t, kept);
    double[] ps = categoryShares(p, kept);
    double psi = t.isEmpty() || p.isEmpty() ? Double.NaN : psi(ts, ps);
    return new Feature(
        name,
        type,
        t.size(),
        p.size(),
        tNull,
        pNull,
        psi,
        null,
        labels,
        ts,
        ps,
        null,
        null,
        null,
        psi > maxPsi);
  }

  /** {@link #HISTOGRAM_BINS} + 1 equal-width edges over both sorted samples, or null. */
  private static double[] histogramEdges(double[] a, double[] b) {
    if (a.length == 0 && b.length == 0) {
      return null;
    }
    double lo = Math.min(a.length > 0 ? a[0] : b[0], b.length > 0 ? b[0] : a[0]);
    double hi =
        Math.max(
            a.length > 0 ? a[a.length - 1] : b[b.length - 1],
            b.length > 0 ? b[b.length - 1] : a[a.length - 1]);
    if (hi <= lo) {
      hi = lo + 1;
    }
    double[] e = new double[HISTOGRAM_BINS + 1];
    for (int i = 0; i <= HISTOGRAM_BINS; i++) {
      e[i] = lo + (hi - lo) * i / HISTOGRAM_BINS;
    }
    return e;
  }

  /** Shares of the values per equal-width bin (the last bin includes its upper edge). */
  private static double[] histogram(double[] values, double[] edges) {
    double[] h = new double[edges.length - 1];
    double lo = edges[0];
    double width = (edges[edges.length - 1] - lo) / h.length;
    for (double v : values) {
      int bin = (int) Math.min(h.length - 1, Math.max(0, Math.floor((v - lo) / width)));
      h[bin]++;
    }
    for (int i = 0; i < h.length; i++) {
      h[i] = values.length == 0 ? 0 : h[i] / values.length;
    }
    return h;
  }

  private static double share(long n, long of) {
    return of == 0 ? 0 : n / (double) of;
  }

  /** Decile edges of sorted values, duplicates removed. */
  static double[] edges(double[] sorted) {
    if (sorted.length == 0) {
      return new double[0];
    }
    double[] e = new double[9];
    for (int i = 1; i <= 9; i++) {
      e[i - 1] = sorted[Math.min(sorted.length - 1, (int) Math.floor(i * sorted.length / 10.0))];
    }
    return Arrays.stream(e).distinct().toArray();
  }

  /** Bin i holds values in [edges[i-1], edges[i]); the first is below edges[0]. */
  static double[] shares(double[] values, double[] edges) {
    double[] s = new double[edges.length + 1];
    for (double v : values) {
      int i = Arrays.binarySearch(edges, v);
      int bin = i >= 0 ? i + 1 : -i - 1;
      s[bin]++;
    }
    for (int i = 0; i < s.length; i++) {
      s[i] = values.length == 0 ? 0 : s[i] / values.length;
    }
    return s;
  }

  private static List<String> labels(double[] edges) {
    List<String> out = new ArrayList<>();
    if (edges.length == 0) {
      out.add("all");
      return out;
    }
    out.add("< " + num(edges[0]));
    for (int i = 1; i < edges.length; i++) {
      out.add("[" + num(edges[i - 1]) + ", " + num(edges[i]) + ")");
    }
    out.add(">= " + num(edges[edges.length - 1]));
    return out;
  }

  private static double[] categoryShares(List<Object> values, List<String> kept) {
    double[] s = new double[kept.size() + 1];
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < kept.size(); i++) {
      index.put(kept.get(i), i);
    }
    for (Object v : values) {
      s[index.getOrDefault(v.toString(), kept.size())]++;
    }
    for (int i = 0; i < s.length; i++) {
      s[i] = values.isEmpty() ? 0 : s[i] / values.size();
    }
    return s;
  }

  static double psi(double[] expected, double[] actual) {
    double sum = 0;
    for (int i = 0; i < expected.length; i++) {
      double e = Math.max(expected[i], EMPTY);
      double a = Math.max(actual[i], EMPTY);
      sum += (a - e) * Math.log(a / e);
    }
    return sum;
  }

  /** The two-sample Kolmogorov-Smirnov statistic: the largest gap between the two CDFs. */
  static double ks(double[] a, double[] b) {
    int i = 0;
    int j = 0;
    double d = 0;
    while (i < a.length && j < b.length) {
      double x = Math.min(a[i], b[j]);
      while (i < a.length && a[i] <= x) {
        i++;
      }
      while (j < b.length && b[j] <= x) {
        j++;
      }
      d = Math.max(d, Math.abs(i / (double) a.length - j / (double) b.length));
    }
    return d;
  }

  static String num(double d) {
    if (d == Math.rint(d) && Math.abs(d) < 1e12) {
      return String.format(Locale.ROOT, "%d", (long) d);
    }
    String g = String.format(Locale.ROOT, "%.4g", d);
    return g.contains(".") && !g.contains("e") ? g.replaceAll("0+$", "").replaceAll("\\.$", "") : g;
  }

  /** The terminal table. */
  static String table(List<Feature> features) {
    StringBuilder sb = new StringBuilder();
    String fmt = "%-24s %-8s %10s %10s %8s %8s %8s %8s  %s%n";
    sb.append(
        String.format(
            Locale.ROOT,
            fmt,
            "feature",
            "type",
            "training",
            "production",
            "null tr",
            "null pr",
            "PSI",
            "KS",
            "verdict"));
    for (Feature f : features) {
      sb.append(
          String.format(
              Locale.ROOT,
              fmt,
              f.name(),
              f.type().name().toLowerCase(Locale.ROOT),
              f.trainingCount(),
              f.productionCount(),
              String.format(Locale.ROOT, "%.3f", f.trainingNullShare()),
              String.format(Locale.ROOT, "%.3f", f.productionNullShare()),
              Double.isNaN(f.psi()) ? "-" : String.format(Locale.ROOT, "%.4f", f.psi()),
              f.ks() == null ? "-" : String.format(Locale.ROOT, "%.4f", f.ks()),
              Double.isNaN(f.psi()) ? "no data" : f.drifted() ? "DRIFT" : "ok"));
    }
    return sb.toString();
  }

  /** A self-contained HTML page: the table, then per feature both histograms overlaid (SVG). */
  static String html(
      String title,
      Map<String, String> context,
      List<Feature> features,
      double maxPsi,
      double maxKs) {
    StringBuilder sb = new StringBuilder();
    sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
        .append(esc(title))
        .append("</title>\n<style>")
        .append(
            "body{font-family:system-ui,sans-serif;margin:24px;color:#222}"
                + "table{border-collapse:collapse;margin:12px 0}"
                + "td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}"
                + "td:first-child,th:first-child{text-align:left}"
                + ".drift{background:#fde0dc;font-weight:bold}.ok{background:#e3f4e1}"
                + ".feature{display:inline-block;margin:8px 16px 16px 0;vertical-align:top}"
                + ".legend span{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px}"
                + "h2{font-size:16px;margin:4px 0}")
        .append("</style></head><body>\n<h1>")
        .append(esc(title))
        .append("</h1>\n<p>");
    context.forEach(
        (k, v) -> sb.append("<b>").append(esc(k)).append("</b>: ").append(esc(v)).append("<br>"));
    sb.append("thresholds: PSI &gt; ")
        .append(num(maxPsi))
        .append(", KS &gt; ")
        .append(num(maxKs))
        .append("</p>\n<table><tr><th>feature</th><th>type</th><th>training</th>")
        .append("<th>production</th><th>null share (training)</th><th>null share (production)</th>")
        .append("<th>PSI</th><th>KS</th><th>verdict</th></tr>\n");
    for (Feature f : features) {
      boolean none = Double.isNaN(f.psi());
      sb.append("<tr class=\"")
          .append(none ? "" : f.drifted() ? "drift" : "ok")
          .append("\"><td>")
          .append(esc(f.name()))
          .append("</td><td>")
          .append(f.type().name().toLowerCase(Locale.ROOT))
          .append("</td><td>")
          .append(f.trainingCount())
          .append("</td><td>")
          .append(f.productionCount())
          .append(
              String.format(
                  Locale.ROOT,
                  "</td><td>%.3f</td><td>%.3f",
                  f.trainingNullShare(),
                  f.productionNullShare()))
          .append("</td><td>")
          .append(none ? "-" : String.format(Locale.ROOT, "%.4f", f.psi()))
          .append("</td><td>")
          .append(f.ks() == null ? "-" : String.format(Locale.ROOT, "%.4f", f.ks()))
          .append("</td><td>")
          .append(none ? "no data" : f.drifted() ? "DRIFT" : "ok")
          .append("</td></tr>\n");
    }
    sb.append("</table>\n<p class=\"legend\"><span style=\"background:#3b7dd8\"></span>training")
        .append("<span style=\"background:#e8702a\"></span>production (share of non-null values")
        .append(" per bin)</p>\n");
    for (Feature f : features) {
      sb.append("<div class=\"feature\"><h2>")
          .append(esc(f.name()))
          .append(
              Double.isNaN(f.psi()) ? "" : String.format(Locale.ROOT, " &mdash; PSI %.4f", f.psi()))
          .append(f.ks() == null ? "" : String.format(Locale.ROOT, ", KS %.4f", f.ks()))
          .append("</h2>\n")
          .append(f.histogramEdges() == null ? "" : overlay(f))
          .append(svg(f))
          .append("</div>\n");
    }
    return sb.append("</body></html>\n").toString();
  }

  /**
   * The numbers' histograms over both samples' range, equal-width bins, training and production
   * drawn over each other (half transparent), with the range's ends and middle labelled.
   */
  private static String overlay(Feature f) {
    double[] e = f.histogramEdges();
    double[] t = f.trainingHistogram();
    double[] p = f.productionHistogram();
    int left = 44;
    int top = 10;
    int h = 140;
    int barW = 14;
    int w = left + t.length * barW + 20;
    double max = 0;
    for (int i = 0; i < t.length; i++) {
      max = Math.max(max, Math.max(t[i], p[i]));
    }
    max = max == 0 ? 1 : max;
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" role=\"img\""
                + " aria-label=\"histogram of %s\"><text x=\"%d\" y=\"%d\" font-size=\"10\">"
                + "histogram, %d equal bins</text>",
            w,
            top + h + 40,
            esc(f.name()),
            left,
            top + 8,
            t.length));
    for (int k = 0; k <= 4; k++) {
      int y = top + h - (int) Math.round(h * k / 4.0);
      sb.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%d\" font-size=\"10\" text-anchor=\"end\">%.0f%%</text>"
                  + "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#eee\"/>",
              left - 4,
              y + 3,
              max * k / 4 * 100,
              left,
              y,
              w - 5,
              y));
    }
    for (int i = 0; i < t.length; i++) {
      int x = left + i * barW;
      int th = (int) Math.round(h * t[i] / max);
      int ph = (int) Math.round(h * p[i] / max);
      sb.append(
          String.format(
              Locale.ROOT,
              "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#3b7dd8\""
                  + " fill-opacity=\"0.55\"/><rect x=\"%d\" y=\"%d\" width=\"%d\""
                  + " height=\"%d\" fill=\"#e8702a\" fill-opacity=\"0.55\"/>",
              x,
              top + h - th,
              barW - 1,
              th,
              x,
              top + h - ph,
              barW - 1,
              ph));
    }
    int y = top + h + 14;
    sb.append(
        String.format(
            Locale.ROOT,
            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>"
                + "<text x=\"%d\" y=\"%d\" font-size=\"10\">%s</text>"
                + "<text x=\"%d\" y=\"%d\" font-size=\"10\" text-anchor=\"middle\">%s</text>"
                + "<text x=\"%d\" y=\"%d\" font-size=\"10\" text-anchor=\"end\">%s</text></svg>",
            left,
            top + h,
            left + t.length * barW,
            top + h,
            left,
            y,
            num(e[0]),
            left + t.length * barW / 2,
            y,
            num(e[e.length / 2]),
            left + t.length * barW,
            y,
            num(e[e.length - 1])));
    return sb.append("<br>").toString();
  }

  /** Bars per bin, training and production side by side, with the bins' labels under them. */
  private static String svg(Feature f) {
    int bins = f.bins().size();
    int barW = 14;
    int gap = 10;
    int h = 160;
    int top = 10;
    int labelH = 90;
    int left = 44;
    int w = left + bins * (2 * barW + gap) + 10;
    double max = 0;
    for (int i = 0; i < bins; i++) {
      max = Math.max(max, Math.max(f.trainingShare()[i], f.productionShare()[i]));
    }
    max = max == 0 ? 1 : max;
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" role=\"img\""
                + " aria-label=\"%s\">",
            w,
            top + h + labelH,
            esc(f.name())));
    sb.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"%d\" font-size=\"10\">%s</text>",
            left,
            top + 8,
            f.type().isNumeric() ? "PSI bins: the training set's deciles" : "PSI bins: values"));
    sb.append(
        String.format(
            Locale.ROOT,
            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>",
            left,
            top + h,
            w - 5,
            top + h));
    for (int k = 0; k <= 4; k++) {
      double v = max * k / 4;
      int y = top + h - (int) Math.round(h * k / 4.0);
      sb.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%d\" font-size=\"10\" text-anchor=\"end\">%.0f%%</text>"
                  + "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#eee\"/>",
              left - 4,
              y + 3,
              v * 100,
              left,
              y,
              w - 5,
              y));
    }
    for (int i = 0; i < bins; i++) {
      int x = left + 5 + i * (2 * barW + gap);
      int th = (int) Math.round(h * f.trainingShare()[i] / max);
      int ph = (int) Math.round(h * f.productionShare()[i] / max);
      sb.append(
          String.format(
              Locale.ROOT,
              "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#3b7dd8\">"
                  + "<title>training %s: %.2f%%</title></rect>",
              x,
              top + h - th,
              barW,
              th,
              esc(f.bins().get(i)),
              f.trainingShare()[i] * 100));
      sb.append(
          String.format(
              Locale.ROOT,
              "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#e8702a\">"
                  + "<title>production %s: %.2f%%</title></rect>",
              x + barW,
              top + h - ph,
              barW,
              ph,
              esc(f.bins().get(i)),
              f.productionShare()[i] * 100));
      int lx = x + barW;
      int ly = top + h + 8;
      sb.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%d\" font-size=\"10\" text-anchor=\"end\""
                  + " transform=\"rotate(-50 %d %d)\">%s</text>",
              lx,
              ly,
              lx,
              ly,
              esc(f.bins().get(i))));
    }
    return sb.append("</svg>").toString();
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }

  /** Context lines for the page, in order. */
  static Map<String, String> context(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }
}
