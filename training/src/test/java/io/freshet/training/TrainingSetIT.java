package io.freshet.training;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

/**
 * {@link TrainingSetScenarios} in this process: in memory, and (when the scenario limits the rows
 * in memory) partitioned by entity through spill files.
 */
class TrainingSetIT extends TrainingSetScenarios {
  @Override
  protected Manifest run(TrainingSet trainingSet) {
    return trainingSet.run();
  }

  @Override
  protected void checkProgress(List<String> lines, long rowsInMemory) {
    if (rowsInMemory > 0) {
      assertThat(lines).anyMatch(l -> l.contains("joined partition 2 of"));
    }
  }
}
