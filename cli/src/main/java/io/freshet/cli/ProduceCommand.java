package io.freshet.cli;

import io.freshet.cli.generate.JsonEvents;
import io.freshet.cli.generate.KafkaPublisher;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SpecParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.avro.generic.GenericRecord;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code freshet produce}: JSON lines encoded with the source's Avro schema and sent to its topic,
 * keyed by the entity. Every bad line is reported with its number; nothing is sent for it, and
 * without {@code --skip-bad} nothing is sent at all when any line is bad.
 */
@Command(
    name = "produce",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Send events from a JSON-lines file to the spec's Kafka topic, encoded with its Avro schema"
          + " and keyed by the entity field. One JSON object per line with the schema's fields;"
          + " optional fields may be null or left out; timestamps as ISO-8601 text or epoch"
          + " milliseconds. Bad lines are reported with their line numbers: without --skip-bad"
          + " nothing is sent if any line is bad."
    },
    footer = {
      "",
      "Example:",
      "  freshet produce --spec examples/payments/payments.yaml --file events.jsonl",
      "",
      "  where events.jsonl holds lines such as",
      "  {\"payment_id\":\"p1\",\"customer_id\":\"c1\",\"merchant_id\":\"m7\",\"amount\":12.5,"
          + "\"currency\":\"EUR\",\"country\":\"FR\",\"event_time\":\"2026-01-01T10:00:00Z\"}"
    })
public final class ProduceCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--spec", required = true, paramLabel = "FILE", description = "Feature spec.")
  Path specFile;

  @Option(names = "--file", required = true, paramLabel = "FILE", description = "JSON lines.")
  Path file;

  @Option(names = "--skip-bad", description = "Send the good lines even if some are bad.")
  boolean skipBad;

  @Option(
      names = "--topic",
      paramLabel = "TOPIC",
      description = "Send to this topic instead of the spec's.")
  String topic;

  @Mixin KafkaClientOptions kafka;

  /** One bad line. */
  public record BadLine(long line, String reason) {
    @Override
    public String toString() {
      return "line " + line + ": " + reason;
    }
  }

  /** The outcome of reading a file: records with their line numbers, and the bad lines. */
  public record Parsed(List<GenericRecord> records, List<Long> lines, List<BadLine> bad) {}

  /**
   * Reads and checks every line against the schema; blank lines are skipped. (An empty entity is
   * not a bad line: the job sends it to the dead letters as NULL_KEY.)
   */
  public static Parsed parse(Path file, JsonEvents events) throws IOException {
    List<GenericRecord> records = new ArrayList<>();
    List<Long> lines = new ArrayList<>();
    List<BadLine> bad = new ArrayList<>();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      long n = 0;
      while ((line = in.readLine()) != null) {
        n++;
        if (line.isBlank()) {
          continue;
        }
        try {
          records.add(events.parse(line));
          lines.add(n);
        } catch (JsonEvents.BadLineException e) {
          bad.add(new BadLine(n, e.getMessage()));
        }
      }
    }
    return new Parsed(records, lines, bad);
  }

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    FeatureSpec featureSpec = SpecParser.parse(specFile);
    if (!Files.isRegularFile(file)) {
      err.println("freshet produce: " + file + " does not exist");
      err.flush();
      return 1;
    }
    JsonEvents events = new JsonEvents(featureSpec.source().schema());
    String entity = featureSpec.source().entityField();
    Parsed parsed = parse(file, events);
    for (BadLine b : parsed.bad()) {
      err.println(file + ": " + b);
    }
    err.flush();
    if (!parsed.bad().isEmpty() && !skipBad) {
      err.println(
          "freshet produce: "
              + parsed.bad().size()
              + " bad line(s), nothing sent (fix them, or send the rest with --skip-bad)");
      err.flush();
      return 1;
    }
    String target = topic != null ? topic : featureSpec.source().topic();
    String bootstrapServers = kafka.bootstrapServers();
    try (KafkaPublisher publisher =
        new KafkaPublisher(bootstrapServers, kafka.clientSettings(), target, 0)) {
      for (GenericRecord r : parsed.records()) {
        Object key = r.get(entity);
        publisher.send(
            key == null || key.toString().isEmpty()
                ? null
                : key.toString().getBytes(StandardCharsets.UTF_8),
            events.encode(r));
      }
    }
    out.println(
        "sent "
            + parsed.records().size()
            + " event(s) to "
            + target
            + " at "
            + bootstrapServers
            + (parsed.bad().isEmpty() ? "" : " (" + parsed.bad().size() + " bad line(s) skipped)"));
    out.flush();
    return 0;
  }
}
