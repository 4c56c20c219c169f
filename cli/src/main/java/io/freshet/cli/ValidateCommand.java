package io.freshet.cli;

import io.freshet.spec.SpecError;
import io.freshet.spec.SpecErrors;
import io.freshet.spec.SpecParser;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code freshet validate SPEC...}: every error of each spec, with file, line and field. */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description = "Check feature specs; report every error with its file, line and field.",
    footer = {"", "Example:", "  freshet validate examples/payments/payments.yaml"})
public final class ValidateCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "SPEC", description = "Feature spec YAML files.")
  List<Path> files;

  @Override
  public Integer call() {
    var out = spec.commandLine().getOut();
    var err = spec.commandLine().getErr();
    int failed = 0;
    for (Path file : files) {
      List<SpecError> errors = SpecParser.validate(file);
      if (errors.isEmpty()) {
        out.println(file + ": ok");
      } else {
        failed++;
        err.println(SpecErrors.format(errors));
        err.println(SpecErrors.summary(errors));
      }
    }
    out.flush();
    err.flush();
    return failed == 0 ? 0 : 1;
  }
}
