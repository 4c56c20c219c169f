package io.freshet.training;

/**
 * One feature of a training set: {@code view:feature}.
 *
 * @param view the view name
 * @param feature the feature name in that view
 */
public record FeatureSelection(String view, String feature) {

  /** Parses {@code view:feature}. */
  public static FeatureSelection parse(String text) {
    int colon = text.indexOf(':');
    if (colon <= 0 || colon == text.length() - 1 || text.indexOf(':', colon + 1) >= 0) {
      throw new TrainingSetException(
          "feature selection '"
              + text
              + "' is not view:feature (for example customer_spend:txn_count_1h)");
    }
    return new FeatureSelection(text.substring(0, colon).trim(), text.substring(colon + 1).trim());
  }

  @Override
  public String toString() {
    return view + ":" + feature;
  }
}
