package io.freshet.operators.features;

import io.freshet.spec.Expectation;
import io.freshet.spec.FeatureDef;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.ViewSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The source fields the views read, in a fixed order: the layout of {@code EventRow.values}. Fields
 * aggregated by a feature come first, then fields that only expectations watch, then fields only
 * expectation rules read (appending keeps every earlier position when a spec adds one).
 */
public final class SourceFields implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  private final List<String> fields;

  private SourceFields(List<String> fields) {
    this.fields = List.copyOf(fields);
  }

  public static SourceFields of(FeatureSpec spec) {
    List<String> fields = new ArrayList<>();
    for (ViewSpec v : spec.views()) {
      for (FeatureDef f : v.features()) {
        if (f.field() != null && !fields.contains(f.field())) {
          fields.add(f.field());
        }
      }
    }
    for (ViewSpec v : spec.views()) {
      for (Expectation e : v.expectations()) {
        if (!fields.contains(e.field())) {
          fields.add(e.field());
        }
      }
    }
    for (ViewSpec v : spec.views()) {
      for (io.freshet.spec.ExpectationRule r : v.rules()) {
        for (String in : r.expression().inputs()) {
          if (!fields.contains(in)) {
            fields.add(in);
          }
        }
      }
    }
    return new SourceFields(fields);
  }

  public List<String> names() {
    return fields;
  }

  public int indexOf(String field) {
    return fields.indexOf(field);
  }

  public int size() {
    return fields.size();
  }
}
