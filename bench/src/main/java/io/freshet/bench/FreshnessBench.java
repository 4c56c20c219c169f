package io.freshet.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.freshet.examples.payments.Payment;
import io.freshet.services.FlinkRest;
import io.freshet.serving.FeatureClient;
import io.freshet.serving.FeatureVector;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Freshness of the live path, end to end and black box: how long after a payment happens a serving
 * client reads its effect from Cassandra, with the production job ({@code bin/freshet run}: the
 * flink-conf/ settings, RocksDB, checkpoints, Cassandra and the Iceberg history) on a fresh topic.
 *
 * <p>Per rate: a topic of its own, the job started on it, then a producer sending payments of
 * random customers at that rate, each stamped with the current time as its event time. Five times a
 * second one of 20 probe customers pays too; a reader polls that customer through {@link
 * FeatureClient} until the vector's last event time reaches the probe's, and records the delay from
 * the event time (every 50 ms while the probe is younger than 1.9 s, then every 5 ms). The job's
 * Prometheus endpoint is scraped every 5 s, on a thread of its own, for backpressure and the
 * source's records not yet read. Every probe (send time into the run, delay, duration of the read
 * that saw it) goes to {@code probes.csv} in the run's directory. The producer starts, with the
 * first probe, once the job has started (every task of the job RUNNING, {@link #awaitStarted}), so
 * the job's first seconds (cold code, the first watermark, the first writes to a new table) and
 * every checkpoint are inside the measurement; the benchmark's own producer and reader are warmed
 * up before it ({@link #warmUpProducer}, {@link #warmUpReader}).
 *
 * <p>Usage: {@code bench/run-freshness-bench.sh --rates 1000,4000 --seconds 60}. Needs the local
 * services ({@code bin/freshet services start}).
 */
public final class FreshnessBench {
  private static final int PROBES = 20;

  /** The example spec's view, which the probes read. */
  private static final String VIEW = "customer_risk";

  private static final String[] COUNTRIES = {"DE", "FR", "NL", "PL", "GB"};
  private static final int WARM_UP_PAYMENTS = 60_000;

  /**
   * Probe age from which the reader polls every 5 ms (every 50 ms before): no update can be seen
   * before the example spec's max_out_of_orderness (2 s) has passed, and earlier close reads only
   * took CPU from the two cores the job runs on.
   */
  private static final long CLOSE_READS_FROM_MS = 1_900;

  private static final int WARM_UP_READS = 2_000;

  private final String kafka;
  private final String cassandra;
  private final Path root;
  private final int partitions;
  private final int customers;

  private FreshnessBench(String kafka, String cassandra, Path root, int partitions, int customers) {
    this.kafka = kafka;
    this.cassandra = cassandra;
    this.root = root;
    this.partitions = partitions;
    this.customers = customers;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> a = new java.util.HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    FreshnessBench bench =
        new FreshnessBench(
            a.getOrDefault("kafka", "127.0.0.1:29092"),
            a.getOrDefault("cassandra", "127.0.0.1:29042"),
            Path.of(a.getOrDefault("root", ".")).toAbsolutePath().normalize(),
            Integer.parseInt(a.getOrDefault("partitions", "2")),
            Integer.parseInt(a.getOrDefault("customers", "10000")));
    int seconds = Integer.parseInt(a.getOrDefault("seconds", "60"));
    List<Result> results = new ArrayList<>();
    for (String r : a.getOrDefault("rates", "500,1000,2000,4000").split(",")) {
      Result res = bench.run(Integer.parseInt(r.trim()), seconds, a.get("set"));
      results.add(res);
      System.out.println(res.line());
    }
    System.out.println();
    System.out.println(Result.HEADER);
    results.forEach(r -> System.out.println(r.line()));
  }

  /** One rate's outcome. Delays in ms from event time to visible in Cassandra. */
  record Result(
      int rate,
      double achievedRate,
      int probes,
      int unseen,
      long p50,
      long p99,
      long max,
      long firstTenSecondsMax,
      long lastMinuteP99,
      double maxBackpressuredMsPerSecond,
      long maxPendingRecords,
      String cpu) {
    static final String HEADER =
        "| rate/s | sent/s | probes (unseen) | p50 ms | p99 ms | max ms | max, first 10 s |"
            + " p99, last 60 s | max backpressured ms/s | max records behind | CPU cores used"
            + " after 20 s |";

    String line() {
      return String.format(
          Locale.ROOT,
          "| %,d | %,.0f | %d (%d) | %,d | %,d | %,d | %,d | %,d | %.0f | %,d | %s |",
          rate,
          achievedRate,
          probes,
          unseen,
          p50,
          p99,
          max,
          firstTenSecondsMax,
          lastMinuteP99,
          maxBackpressuredMsPerSecond,
          maxPendingRecords,
          cpu);
    }
  }

  private Result run(int rate, int seconds, String extraSet) throws Exception {
    String id = "fresh" + rate + "x" + Long.toString(System.currentTimeMillis(), 36);
    String topic = "bench-" + id;
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka))) {
      admin
          .createTopics(
              List.of(
                  new NewTopic(topic, partitions, (short) 1),
                  new NewTopic(topic + ".dead-letters", 1, (short) 1),
                  new NewTopic(topic + ".violations", 1, (short) 1),
                  new NewTopic(topic + ".warm-up", partitions, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
    Path dir = Files.createTempDirectory("freshness-" + id);
    Path spec = dir.resolve("payments.yaml");
    Files.writeString(
        spec,
        Files.readString(root.resolve("examples/payments/payments.yaml"))
            .replace("topic: payments", "topic: " + topic)
            .replace(
                "schema: payment.avsc",
                "schema: " + root.resolve("avro-schemas/src/main/avro/payment.avsc")));
    List<String> cmd =
        new ArrayList<>(
            List.of(
                root.resolve("bin/freshet").toString(),
                "run",
                "--spec",
                spec.toString(),
                "--set",
                "freshet.kafka.bootstrap-servers=" + kafka,
                "--set",
                "freshet.kafka.group-id=" + id,
                "--set",
                "freshet.cassandra.contact-points=" + cassandra,
                "--set",
                "freshet.cassandra.keyspace=" + id,
                "--set",
                "freshet.iceberg.namespace=" + id));
    if (extraSet != null) {
      for (String s : extraSet.split(";")) {
        cmd.add("--set");
        cmd.add(s);
      }
    }
    warmUpProducer(topic + ".warm-up");
    Path log = dir.resolve("run.log");
    ProcessBuilder pb = new ProcessBuilder(cmd);
    // a state dir of its own: run records, the Iceberg catalog and warehouse of this run alone
    pb.environment().put("FRESHET_STATE_DIR", dir.resolve("state").toString());
    Process job =
        pb.directory(root.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    System.out.printf("rate %,d/s: job log %s%n", rate, log);
    try (FeatureClient client =
        FeatureClient.builder()
            .contactPoints(cassandra)
            .keyspace(id)
            .requestTimeout(Duration.ofSeconds(2))
            .build()) {
      awaitStarted(client, job, log);
      warmUpReader(client);
      return measure(rate, seconds, topic, client, job, dir.resolve("probes.csv"));
    } finally {
      job.destroy();
      if (!job.waitFor(60, TimeUnit.SECONDS)) {
        job.destroyForcibly();
      }
      cleanUp(id, topic, dir);
    }
  }

  /**
   * Drops what the run made in the local services (its keyspace and topics) and its state dir
   * (Iceberg catalog and warehouse, checkpoints); keeps the job's log.
   */
  private void cleanUp(String id, String topic, Path dir) {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka));
        FeatureClient client = FeatureClient.builder().contactPoints(cassandra).build()) {
      admin
          .deleteTopics(
              List.of(topic, topic + ".dead-letters", topic + ".violations", topic + ".warm-up"))
          .all()
          .get(30, TimeUnit.SECONDS);
      client
          .session()
          .execute(
              com.datastax.oss.driver.api.core.cql.SimpleStatement.newInstance(
                      "DROP KEYSPACE IF EXISTS \"" + id + "\"")
                  .setTimeout(Duration.ofSeconds(60)));
      Path state = dir.resolve("state");
      if (Files.isDirectory(state)) {
        try (var files = Files.walk(state)) {
          for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
            Files.delete(f);
          }
        }
      }
    } catch (Exception e) {
      System.out.println("cleaning up run " + id + " failed (" + e + "); left as it is");
    }
  }

  /**
   * Waits until the job has started: its Cassandra sink has registered the view, and every task of
   * the job is RUNNING (the REST API of the run's MiniCluster, its address from the run's first
   * line). Events sent before that wait for the job's start, whatever the job does.
   */
  private static void awaitStarted(FeatureClient client, Process job, Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    FlinkRest rest = null;
    boolean registered = false;
    while (true) {
      String why;
      try {
        if (!registered) {
          client.viewMetadata(VIEW);
          registered = true;
        }
        if (rest == null) {
          Matcher m = REST_ADDRESS.matcher(Files.readString(log));
          if (m.find()) {
            rest = new FlinkRest(m.group(1));
          }
        }
        why = rest == null ? "no REST address in the log yet" : notRunning(rest);
        if (why == null) {
          return;
        }
      } catch (RuntimeException | IOException notYet) {
        why = notYet.getMessage();
      }
      if (!job.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException("the job did not start (see " + log + "): " + why);
      }
      Thread.sleep(registered ? 100 : 250);
    }
  }

  private static final Pattern REST_ADDRESS = Pattern.compile("REST API (http://[0-9.:]+)");

  /** Null when every task of the run's one job is RUNNING, else what is not. */
  private static String notRunning(FlinkRest rest) throws IOException {
    JsonNode jobs = rest.get("/jobs/overview", Duration.ofSeconds(5)).path("jobs");
    if (jobs.size() != 1) {
      return jobs.size() + " jobs";
    }
    JsonNode job = rest.job(jobs.get(0).path("jid").asText());
    for (JsonNode v : job.path("vertices")) {
      int running = v.path("tasks").path("RUNNING").asInt();
      if (running != v.path("parallelism").asInt()) {
        return v.path("name").asText() + ": " + running + " tasks running";
      }
    }
    return job.path("vertices").isEmpty() ? "no vertices" : null;
  }

  private Properties producerProps() {
    Properties props = new Properties();
    props.put("bootstrap.servers", kafka);
    props.put("key.serializer", ByteArraySerializer.class.getName());
    props.put("value.serializer", ByteArraySerializer.class.getName());
    props.put("linger.ms", "5");
    return props;
  }

  /**
   * Warms this benchmark's own sending code (Avro encoding, the Kafka producer) before the job
   * starts, with payments to a topic the job does not read. Cold, the producer's first seconds took
   * most of a core of the two the job runs on, just when the job's first seconds are measured; a
   * real producer runs elsewhere.
   */
  private void warmUpProducer(String warmUpTopic) throws IOException {
    SpecificDatumWriter<Payment> writer = new SpecificDatumWriter<>(Payment.class);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
    SplittableRandom random = new SplittableRandom(7);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps())) {
      for (int i = 0; i < WARM_UP_PAYMENTS; i++) {
        String customer = "c" + random.nextInt(customers);
        send(producer, warmUpTopic, writer, bytes, customer, random, 0L);
        if (i % 1_000 == 999) {
          producer.flush();
        }
      }
    }
  }

  /**
   * Warms this benchmark's probe reader (the serving client's read path) once the job runs and
   * before the measurement, with reads of customers that never pay.
   */
  private static void warmUpReader(FeatureClient client) {
    for (int i = 0; i < WARM_UP_READS; i++) {
      client.get(VIEW, "warm-up-" + (i % 50));
    }
  }

  private Result measure(
      int rate, int seconds, String topic, FeatureClient client, Process job, Path probesCsv)
      throws Exception {
    Properties props = producerProps();
    SpecificDatumWriter<Payment> writer = new SpecificDatumWriter<>(Payment.class);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
    SplittableRandom random = new SplittableRandom(42);
    Map<String, long[]> outstanding = new ConcurrentHashMap<>(); // probe -> {eventTime, sent}
    List<long[]> delays = java.util.Collections.synchronizedList(new ArrayList<>());
    Poller poller = new Poller(client, outstanding, delays);
    Scraper scraper = new Scraper();
    Thread pollThread = new Thread(poller, "probe-poller");
    pollThread.setDaemon(true);
    // the scrape has a thread of its own: on the sending thread, a slow answer from the job's
    // metrics endpoint (over a second while the job starts) paused the payments, and with them
    // the watermark, so the probes waited for the benchmark rather than for the job
    ScheduledExecutorService scrapes =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "metrics-scraper");
              t.setDaemon(true);
              return t;
            });
    long sent = 0;
    long probeSeq = 0;
    double achieved = -1;
    Map<String, Long> cpuStart = null;
    String cpu = "";
    long longestPauseNanos = 0;
    long start;
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
      // the topic's metadata before the first payment, which would otherwise wait for it
      producer.partitionsFor(topic);
      start = System.currentTimeMillis();
      System.out.printf("rate %,d/s: sending from %s%n", rate, Instant.ofEpochMilli(start));
      pollThread.start();
      scrapes.scheduleWithFixedDelay(scraper::scrape, 0, 5, TimeUnit.SECONDS);
      long startNanos = System.nanoTime();
      long lastLoop = startNanos;
      long end = startNanos + TimeUnit.SECONDS.toNanos(seconds);
      // after the measurement the payments go on (no more probes) until the last probes are seen:
      // without events the watermark stops, and so would the last probes' updates
      long drainEnd = end + TimeUnit.SECONDS.toNanos(30);
      long nextProbe = startNanos;
      long cpuFrom = startNanos + TimeUnit.SECONDS.toNanos(Math.min(20, seconds / 3));
      while (true) {
        long now = System.nanoTime();
        if (now < end) {
          longestPauseNanos = Math.max(longestPauseNanos, now - lastLoop);
        }
        lastLoop = now;
        if (now >= end && (outstanding.isEmpty() || now >= drainEnd)) {
          break;
        }
        if (now >= end && achieved < 0) {
          achieved = sent * 1e9 / (now - startNanos);
          cpu = Cpu.describe(cpuStart, Cpu.sample(job), (now - cpuFrom) / 1e9);
        }
        if (now >= cpuFrom && cpuStart == null) {
          cpuStart = Cpu.sample(job);
        }
        if (!job.isAlive()) {
          throw new IllegalStateException("the job ended during the measurement");
        }
        long due = (now - startNanos) * rate / 1_000_000_000L;
        for (; sent < due; sent++) {
          String customer = "c" + random.nextInt(customers);
          send(producer, topic, writer, bytes, customer, random, System.currentTimeMillis());
        }
        if (now < end && now >= nextProbe) {
          String probe = "probe-" + (probeSeq++ % PROBES);
          if (!outstanding.containsKey(probe)) {
            long t = System.currentTimeMillis();
            outstanding.put(probe, new long[] {t, t});
            send(producer, topic, writer, bytes, probe, random, t);
          }
          nextProbe += 200_000_000L;
        }
        Thread.sleep(1);
      }
    } finally {
      scrapes.shutdown();
    }
    int unseen = outstanding.size();
    poller.stop = true;
    pollThread.join();
    scrapes.awaitTermination(30, TimeUnit.SECONDS);
    System.out.printf(
        "rate %,d/s: the sending thread's longest pause %,d ms (a pause stops the watermark)%n",
        rate, TimeUnit.NANOSECONDS.toMillis(longestPauseNanos));

    List<long[]> d;
    synchronized (delays) {
      d = new ArrayList<>(delays);
    }
    StringBuilder csv = new StringBuilder("sent_ms_into_run,delay_ms,last_read_ms\n");
    d.stream()
        .sorted(java.util.Comparator.comparingLong(x -> x[0]))
        .forEach(
            x ->
                csv.append(x[0] - start)
                    .append(',')
                    .append(x[1])
                    .append(',')
                    .append(x[2])
                    .append('\n'));
    Files.writeString(probesCsv, csv);
    System.out.printf("rate %,d/s: every probe in %s%n", rate, probesCsv);
    long[] all = d.stream().mapToLong(x -> x[1]).sorted().toArray();
    long[] firstTen = d.stream().filter(x -> x[0] - start < 10_000).mapToLong(x -> x[1]).toArray();
    long lastFrom = start + (seconds - 60) * 1000L;
    long[] lastMinute =
        d.stream().filter(x -> x[0] >= lastFrom).mapToLong(x -> x[1]).sorted().toArray();
    List<String> series = new ArrayList<>();
    for (int s = 0; s < seconds; s += 10) {
      long from = start + s * 1000L;
      long[] w =
          d.stream()
              .filter(x -> x[0] >= from && x[0] < from + 10_000)
              .mapToLong(x -> x[1])
              .sorted()
              .toArray();
      series.add(
          String.format(
              Locale.ROOT,
              "%3ds: p50 %,d p99 %,d max %,d",
              s,
              pct(w, 50),
              pct(w, 99),
              pct(w, 100)));
    }
    System.out.printf(
        "rate %,d/s: longest checkpoint write-back of changed entities %,d ms (at most %,d"
            + " entities in one subtask)%n",
        rate, scraper.maxWriteBackMs, scraper.maxWriteBackEntities);
    System.out.printf("rate %,d/s, delay by 10 s of the run (event time of the probe):%n", rate);
    series.forEach(s -> System.out.println("  " + s));
    return new Result(
        rate,
        achieved,
        all.length + unseen,
        unseen,
        pct(all, 50),
        pct(all, 99),
        pct(all, 100),
        Arrays.stream(firstTen).max().orElse(-1),
        pct(lastMinute, 99),
        scraper.maxBackpressured,
        scraper.maxPending,
        cpu);
  }

  private static void send(
      KafkaProducer<byte[], byte[]> producer,
      String topic,
      SpecificDatumWriter<Payment> writer,
      ByteArrayOutputStream bytes,
      String customer,
      SplittableRandom random,
      long eventTime)
      throws IOException {
    Payment p =
        new Payment(
            Long.toString(random.nextLong(), 36),
            customer,
            "m" + random.nextInt(500),
            Math.round(random.nextDouble(1, 500) * 100) / 100.0,
            "EUR",
            COUNTRIES[random.nextInt(COUNTRIES.length)],
            Instant.ofEpochMilli(eventTime));
    bytes.reset();
    BinaryEncoder enc = EncoderFactory.get().directBinaryEncoder(bytes, null);
    writer.write(p, enc);
    enc.flush();
    producer.send(
        new ProducerRecord<>(
            topic,
            customer.getBytes(java.nio.charset.StandardCharsets.UTF_8),
            bytes.toByteArray()));
  }

  /** The p-th percentile (nearest rank) of sorted values, -1 if none. */
  static long pct(long[] sorted, int p) {
    if (sorted.length == 0) {
      return -1;
    }
    long[] s = sorted.clone();
    Arrays.sort(s);
    int rank = (int) Math.ceil(p / 100.0 * s.length);
    return s[Math.max(0, Math.min(s.length - 1, rank - 1))];
  }

  /** Polls each outstanding probe's customer until its vector shows the probe's event. */
  private static final class Poller implements Runnable {
    private final FeatureClient client;
    private final Map<String, long[]> outstanding;
    private final List<long[]> delays;
    private final Map<String, Long> nextPoll = new java.util.HashMap<>();
    volatile boolean stop;

    Poller(FeatureClient client, Map<String, long[]> outstanding, List<long[]> delays) {
      this.client = client;
      this.outstanding = outstanding;
      this.delays = delays;
    }

    @Override
    public void run() {
      while (!stop) {
        long now = System.currentTimeMillis();
        for (Map.Entry<String, long[]> e : outstanding.entrySet()) {
          long eventTime = e.getValue()[0];
          if (nextPoll.getOrDefault(e.getKey(), 0L) > now) {
            continue;
          }
          try {
            long asked = System.currentTimeMillis();
            FeatureVector v = client.get(VIEW, e.getKey());
            long seen = System.currentTimeMillis();
            if (v.found() && v.lastEventTime() >= eventTime) {
              delays.add(new long[] {eventTime, seen - eventTime, seen - asked});
              outstanding.remove(e.getKey());
              nextPoll.remove(e.getKey());
              continue;
            }
          } catch (RuntimeException timeout) {
            // a slow read: poll again
          }
          long age = System.currentTimeMillis() - eventTime;
          nextPoll.put(
              e.getKey(), System.currentTimeMillis() + (age < CLOSE_READS_FROM_MS ? 50 : 5));
        }
        try {
          Thread.sleep(1);
        } catch (InterruptedException ie) {
          return;
        }
      }
    }
  }

  /** Reads the job's Prometheus endpoint (the first of ports 9249-9259 that answers). */
  private static final class Scraper {
    private static final Pattern SAMPLE =
        Pattern.compile("^(flink_\\S+?)(\\{[^}]*\\})? ([-0-9.eE+NaN]+)$", Pattern.MULTILINE);
    private final HttpClient http =
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private Integer port;
    double maxBackpressured;
    long maxPending;
    long maxWriteBackMs;
    long maxWriteBackEntities;

    void scrape() {
      for (int p = port == null ? 9249 : port; p <= (port == null ? 9259 : port); p++) {
        try {
          HttpResponse<String> r =
              http.send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p + "/metrics"))
                      .timeout(Duration.ofSeconds(2))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
          String body = r.body();
          if (!body.contains("flink_taskmanager_job_task_backPressuredTimeMsPerSecond")) {
            continue;
          }
          if (port == null) {
            System.out.println("scraping the job's metrics on port " + p);
          }
          port = p;
          Matcher m = SAMPLE.matcher(body);
          while (m.find()) {
            String name = m.group(1);
            double value;
            try {
              value = Double.parseDouble(m.group(3));
            } catch (NumberFormatException nan) {
              continue;
            }
            if (name.equals("flink_taskmanager_job_task_backPressuredTimeMsPerSecond")) {
              maxBackpressured = Math.max(maxBackpressured, value);
            } else if (name.endsWith("_pendingRecords") && !Double.isNaN(value)) {
              maxPending = Math.max(maxPending, (long) value);
            } else if (name.endsWith("_checkpointWriteBackMs")) {
              maxWriteBackMs = Math.max(maxWriteBackMs, (long) value);
            } else if (name.endsWith("_checkpointWriteBackEntities")) {
              maxWriteBackEntities = Math.max(maxWriteBackEntities, (long) value);
            }
          }
          return;
        } catch (IOException | InterruptedException unreachable) {
          // not this port
        }
      }
    }
  }

  /**
   * CPU time per process group from /proc (Linux): the job (the run's process tree), the Cassandra
   * and Kafka servers of the local services, and this benchmark (producer and probe reader).
   */
  static final class Cpu {
    private static final long TICKS = 100; // USER_HZ on Linux

    static Map<String, Long> sample(Process job) {
      Map<String, Long> ticks = new java.util.LinkedHashMap<>();
      ticks.put("job", job.descendants().mapToLong(h -> ticks(h.pid())).sum() + ticks(job.pid()));
      for (String service : List.of("cassandra", "kafka")) {
        long t = 0;
        try (var procs = Files.list(Path.of("/proc"))) {
          for (Path p : procs.filter(x -> x.getFileName().toString().matches("\\d+")).toList()) {
            try {
              String cmd = Files.readString(p.resolve("cmdline"));
              if (cmd.contains("-Dfreshet.service=" + service)) {
                t += ticks(Long.parseLong(p.getFileName().toString()));
              }
            } catch (IOException gone) {
              // the process ended
            }
          }
        } catch (IOException e) {
          t = -1;
        }
        ticks.put(service, t);
      }
      ticks.put("bench", ticks(ProcessHandle.current().pid()));
      return ticks;
    }

    private static long ticks(long pid) {
      try {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
      } catch (IOException | RuntimeException e) {
        return 0;
      }
    }

    static String describe(Map<String, Long> from, Map<String, Long> to, double seconds) {
      if (from == null) {
        return "";
      }
      StringBuilder out = new StringBuilder();
      for (Map.Entry<String, Long> e : to.entrySet()) {
        double cores = (e.getValue() - from.get(e.getKey())) / (double) TICKS / seconds;
        out.append(out.length() == 0 ? "" : ", ")
            .append(String.format(Locale.ROOT, "%s %.2f", e.getKey(), cores));
      }
      return out.toString();
    }
  }
}
