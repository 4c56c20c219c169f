package io.freshet.cli;

import io.freshet.cli.generate.JsonEvents;
import io.freshet.cli.generate.KafkaPublisher;
import io.freshet.cli.generate.Labels;
import io.freshet.cli.generate.PaymentsGenerator;
import io.freshet.examples.payments.Payment;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SpecParser;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code freshet generate}: synthetic payments for the example, to Kafka or to a JSON-lines file.
 */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Generate synthetic card payments for a spec on payment.avsc (examples/payments): skewed"
          + " customers (a few heavy ones), bursts (the fraud pattern), payments out of order"
          + " within max_out_of_orderness, some late (corrections) and some too late (dead"
          + " letters), and a few malformed records. The same --seed and --start give the same"
          + " events. Optionally writes a labels spine (customer_id, timestamp, label) for"
          + " training sets."
    },
    footer = {
      "",
      "Examples:",
      "  freshet generate --spec examples/payments/payments.yaml --events 100000 --entities 5000 \\",
      "      --days 7 --seed 42 --topic --labels labels.csv",
      "  freshet generate --spec examples/payments/payments.yaml --events 1000 --entities 50 \\",
      "      --days 1 --seed 1 --out events.jsonl    # then: freshet produce --file events.jsonl"
    })
public final class GenerateCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--spec", required = true, paramLabel = "FILE", description = "Feature spec.")
  Path specFile;

  @Mixin GeneratorOptions generator;

  @Option(
      names = "--start",
      paramLabel = "INSTANT",
      description =
          "Event time of the first payment, ISO-8601 (default: --days before now, to the hour, so"
              + " that served values are fresh).")
  Instant start;

  @Option(
      names = "--rate",
      defaultValue = "0",
      description = "Records per second to Kafka at most (default: as fast as it takes them).")
  double rate;

  @Option(
      names = "--late-fraction",
      defaultValue = "0.005",
      description = "Late within allowed_lateness (default: ${DEFAULT-VALUE}).")
  double lateFraction;

  @Option(
      names = "--too-late-fraction",
      defaultValue = "0.0005",
      description = "Later than allowed_lateness (default: ${DEFAULT-VALUE}).")
  double tooLateFraction;

  @Option(
      names = "--malformed-fraction",
      defaultValue = "0.0005",
      description = "Malformed records (default: ${DEFAULT-VALUE}).")
  double malformedFraction;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Target target;

  static final class Target {
    @Option(names = "--out", paramLabel = "FILE", description = "Write JSON lines here.")
    Path out;

    @Option(
        names = "--topic",
        arity = "0..1",
        fallbackValue = "",
        paramLabel = "TOPIC",
        description = "Send Avro records to Kafka: the spec's topic, or TOPIC.")
    String topic;
  }

  @Option(
      names = "--labels",
      paramLabel = "FILE",
      description = "Also write a labels spine CSV (customer_id, timestamp, payment_id, label).")
  Path labels;

  @Mixin KafkaClientOptions kafka;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    FeatureSpec featureSpec = SpecParser.parse(specFile);
    String schemaName = featureSpec.source().schema().getFullName();
    if (!schemaName.equals(Payment.getClassSchema().getFullName())) {
      err.println(
          "freshet generate: makes payments (payment.avsc), but the spec's source schema is "
              + schemaName);
      err.flush();
      return 2;
    }
    PaymentsGenerator.Settings settings =
        new PaymentsGenerator.Settings(
            generator.events,
            generator.entities,
            generator.days,
            generator.seed,
            start != null ? start : generator.defaultStart(),
            lateFraction,
            tooLateFraction,
            malformedFraction);
    long t0 = System.nanoTime();
    PaymentsGenerator payments = new PaymentsGenerator(settings);
    long n;
    String where;
    if (target.out != null) {
      n = writeJsonLines(payments, target.out);
      where = target.out.toString();
    } else {
      String topic = target.topic.isEmpty() ? featureSpec.source().topic() : target.topic;
      String servers = kafka.bootstrapServers();
      try (KafkaPublisher publisher =
          new KafkaPublisher(servers, kafka.clientSettings(), topic, rate)) {
        n = KafkaPublisher.publish(payments, publisher, c -> progress(err, c, generator.events));
      }
      where = "Kafka topic " + topic + " at " + servers;
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    out.printf(
        "generated %,d records (%,d customers, %d days from %s, seed %d) to %s in %.1f s%n",
        n, generator.entities, generator.days, settings.start(), generator.seed, where, secs);
    if (labels != null) {
      long rows = Labels.write(payments, labels);
      out.printf("wrote %,d labels to %s%n", rows, labels);
    }
    out.flush();
    return 0;
  }

  private static void progress(PrintWriter err, long sent, long total) {
    err.printf("  sent %,d of %,d%n", sent, total);
    err.flush();
  }

  /**
   * Writes the generator's records as JSON lines in arrival order; payments that cannot be JSON
   * (the non-Avro bytes) are left out. Returns the lines written.
   */
  public static long writeJsonLines(PaymentsGenerator generator, Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    long n = 0;
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (PaymentsGenerator.Event e : generator) {
        if (e.payment() == null) {
          continue;
        }
        w.write(JsonEvents.toJson(e.payment()));
        w.newLine();
        n++;
      }
    }
    return n;
  }
}
