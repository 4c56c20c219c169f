package io.freshet.cli;

import io.freshet.avro.DeadLetter;
import io.freshet.cli.generate.KafkaPublisher;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SourceSpec;
import io.freshet.spec.SpecParser;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code freshet dead-letters}: what a source's dead-letter topic holds, by reason, and the replay
 * of chosen dead letters to the source topic once their producer's problem is fixed. Reads the
 * topic from its start to its end offsets as of the command's start, with no consumer group (no
 * offsets committed).
 */
@Command(
    name = "dead-letters",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "List the dead letters of a spec's source by reason, with examples (topic, partition, offset,"
          + " what was wrong), or re-send chosen ones to the source topic (--replay) once the"
          + " producer's problem is fixed: the job then reads them as new records. TOO_LATE dead"
          + " letters are not replayed: they hold the decoded event, and would be too late again."
    },
    footer = {
      "",
      "Examples:",
      "  freshet dead-letters --spec examples/payments/payments.yaml",
      "  freshet dead-letters --spec examples/payments/payments.yaml --reason NOT_A_NUMBER"
          + " --examples 50",
      "  freshet dead-letters --spec examples/payments/payments.yaml --replay --reason NULL_KEY",
      "  freshet dead-letters --spec examples/payments/payments.yaml --replay --offset 0:17"
    })
public final class DeadLettersCommand implements Callable<Integer> {
  /** Reasons whose dead letters do not hold the record as produced. */
  static final Set<String> NOT_REPLAYABLE = Set.of("TOO_LATE");

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--spec", required = true, paramLabel = "FILE", description = "Feature spec.")
  Path specFile;

  @Option(
      names = "--reason",
      paramLabel = "CODE",
      description = "Only dead letters with this reason code (repeatable).")
  List<String> reasons = new ArrayList<>();

  @Option(
      names = "--offset",
      paramLabel = "PARTITION:OFFSET",
      description =
          "Only the dead letter at this partition and offset of the dead-letter topic"
              + " (repeatable).")
  List<String> offsets = new ArrayList<>();

  @Option(
      names = "--examples",
      paramLabel = "N",
      defaultValue = "5",
      description = "Dead letters printed per reason (default: ${DEFAULT-VALUE}).")
  int examples;

  @Option(
      names = "--replay",
      description = "Re-send the chosen dead letters' key and value to the source topic.")
  boolean replay;

  @Option(names = "--dry-run", description = "With --replay: say what would be sent, send nothing.")
  boolean dryRun;

  @Mixin KafkaClientOptions kafka;

  /** A dead letter and where it is in the dead-letter topic. */
  record Letter(int partition, long offset, DeadLetter letter) {}

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    FeatureSpec featureSpec = SpecParser.parse(specFile);
    SourceSpec source = featureSpec.source();
    Set<String> chosenOffsets = new LinkedHashSet<>(offsets);
    for (String o : chosenOffsets) {
      if (!o.matches("\\d+:\\d+")) {
        throw new CliException("--offset " + o + ": give PARTITION:OFFSET, e.g. 0:17");
      }
    }
    if (replay && reasons.isEmpty() && chosenOffsets.isEmpty()) {
      throw new CliException("--replay re-sends chosen dead letters: give --reason or --offset");
    }
    for (String r : reasons) {
      if (replay && NOT_REPLAYABLE.contains(r)) {
        throw new CliException(
            r
                + " dead letters are not replayed: they hold the decoded event rather than the"
                + " record as produced, and it would be too late again");
      }
    }
    List<Letter> chosen = new ArrayList<>();
    Map<String, Long> byReason = new TreeMap<>();
    for (Letter l :
        read(kafka.bootstrapServers(), kafka.clientSettings(), source.deadLetterTopic())) {
      String reason = l.letter().getReasonCode().toString();
      if (!reasons.isEmpty() && !reasons.contains(reason)) {
        continue;
      }
      if (!chosenOffsets.isEmpty() && !chosenOffsets.contains(l.partition() + ":" + l.offset())) {
        continue;
      }
      byReason.merge(reason, 1L, Long::sum);
      chosen.add(l);
    }
    out.printf(
        java.util.Locale.ROOT,
        "%s: %,d dead letters%s%n",
        source.deadLetterTopic(),
        chosen.size(),
        reasons.isEmpty() && chosenOffsets.isEmpty() ? "" : " chosen");
    Map<String, Integer> shown = new HashMap<>();
    for (Map.Entry<String, Long> e : byReason.entrySet()) {
      out.printf(java.util.Locale.ROOT, "  %-16s %,d%n", e.getKey(), e.getValue());
    }
    if (!replay) {
      for (Letter l : chosen) {
        String reason = l.letter().getReasonCode().toString();
        if (shown.merge(reason, 1, Integer::sum) <= examples) {
          out.println(describe(l));
        }
      }
      out.flush();
      return 0;
    }
    int skipped = 0;
    List<Letter> sendable = new ArrayList<>();
    for (Letter l : chosen) {
      if (NOT_REPLAYABLE.contains(l.letter().getReasonCode().toString())
          || l.letter().getValue() == null) {
        skipped++;
      } else {
        sendable.add(l);
      }
    }
    if (dryRun) {
      out.printf(
          java.util.Locale.ROOT,
          "would re-send %,d to %s (%,d not replayable)%n",
          sendable.size(),
          source.topic(),
          skipped);
      out.flush();
      return 0;
    }
    try (KafkaPublisher publisher =
        new KafkaPublisher(kafka.bootstrapServers(), kafka.clientSettings(), source.topic(), 0)) {
      for (Letter l : sendable) {
        publisher.send(bytes(l.letter().getKey()), bytes(l.letter().getValue()));
      }
    }
    out.printf(
        java.util.Locale.ROOT,
        "re-sent %,d to %s (%,d not replayable); the job reads them as new records%n",
        sendable.size(),
        source.topic(),
        skipped);
    out.flush();
    return 0;
  }

  private static String describe(Letter l) {
    DeadLetter d = l.letter();
    return "    "
        + d.getReasonCode()
        + " at "
        + l.partition()
        + ":"
        + l.offset()
        + " (from "
        + d.getTopic()
        + " "
        + d.getPartition()
        + ":"
        + d.getOffset()
        + ", "
        + Instant.ofEpochMilli(d.getDetectedAt())
        + "): "
        + d.getReason();
  }

  private static byte[] bytes(ByteBuffer b) {
    if (b == null) {
      return null;
    }
    ByteBuffer d = b.duplicate();
    byte[] out = new byte[d.remaining()];
    d.get(out);
    return out;
  }

  /** Every dead letter in the topic up to its end offsets as of now. */
  static List<Letter> read(String bootstrapServers, Properties clientSettings, String topic) {
    List<Letter> letters = new ArrayList<>();
    SpecificDatumReader<DeadLetter> reader = new SpecificDatumReader<>(DeadLetter.class);
    // no dead letter yet leaves the topic absent: it is made with the first
    TopicScan.read(
        bootstrapServers,
        clientSettings,
        topic,
        r -> {
          try {
            DeadLetter d = reader.read(null, DecoderFactory.get().binaryDecoder(r.value(), null));
            letters.add(new Letter(r.partition(), r.offset(), d));
          } catch (IOException | RuntimeException e) {
            throw new CliException(
                topic
                    + " "
                    + r.partition()
                    + ":"
                    + r.offset()
                    + " is not a Freshet dead letter: "
                    + e.getMessage());
          }
        });
    return letters;
  }
}
