package io.freshet.serving.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.freshet.spec.RequestFeatures;
import io.freshet.spec.Suggestions;
import io.freshet.spec.ViewSpec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A validated {@code POST /v1/features} body: the entities in request order, and the columns of the
 * answer (which feature of which view each requested name is).
 *
 * <p>Two forms: {@code {"view": "v", "entities": [...], "features": ["f", ...]}} (features
 * optional: all of the view's), and across views {@code {"entities": [...], "features": ["v:f",
 * ...]}}. Every refusal is a 400 whose message says what to change.
 *
 * <p>Either form may carry {@code "request": {"amount": 120.0, ...}}: the request fields of the
 * views' request-time features, each given to the views that declare it (converted to its declared
 * type); a field no requested view declares, or a value of the wrong type, is a 400.
 *
 * @param entities the entity ids as requested (duplicates kept: the answer has one result each)
 * @param columns one per requested feature, in request order
 * @param requestFields per view read, the request fields it declares, converted
 */
record FeatureRequest(
    List<String> entities, List<Column> columns, Map<String, Map<String, Object>> requestFields) {

  /**
   * One column of the answer.
   *
   * @param key the name as the request wrote it (the key in each result)
   * @param view the view read
   * @param index the feature's position in the view's served vector (stored features, then
   *     request-time ones)
   */
  record Column(String key, String view, int index) {}

  static final List<String> FIELDS = List.of("view", "entities", "features", "request");

  /** Names other feature stores' clients use for the fields. */
  private static final Map<String, String> FIELD_ALIASES =
      Map.of(
          "entity", "entities",
          "entity_ids", "entities",
          "ids", "entities",
          "keys", "entities",
          "feature", "features",
          "feature_names", "features",
          "feature_view", "view",
          "view_name", "view",
          "request_fields", "request",
          "context", "request");

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  /** The distinct entities, in first-seen order: one read each. */
  List<String> distinctEntities() {
    return List.copyOf(new LinkedHashSet<>(entities));
  }

  /** The views the columns read, in first-seen order. */
  List<String> views() {
    Set<String> out = new LinkedHashSet<>();
    for (Column c : columns) {
      out.add(c.view());
    }
    return List.copyOf(out);
  }

  static FeatureRequest parse(byte[] body, ViewCatalog catalog, int maxEntities) {
    JsonNode root = readJson(body);
    if (!root.isObject()) {
      throw bad(
          "invalid_request",
          "the body must be a JSON object, e.g. {\"view\": \"customer_risk\", \"entities\":"
              + " [\"c42\"]}; got "
              + kind(root));
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!FIELDS.contains(field)) {
        throw bad(
            "unknown_field",
            "unknown field '"
                + field
                + "'"
                + Suggestions.closest(field, FIELDS, FIELD_ALIASES)
                    .map(s -> " (did you mean '" + s + "'?)")
                    .orElse("")
                + "; a request has \"entities\" and \"view\" and/or \"features\"");
      }
    }
    List<String> entities = entities(root.get("entities"), maxEntities);
    JsonNode viewNode = root.get("view");
    ViewCatalog.Entry view = null;
    if (viewNode != null) {
      if (!viewNode.isTextual() || viewNode.asText().isEmpty()) {
        throw bad(
            "invalid_request",
            "\"view\" must be a view name (a string), e.g. \"view\": \"" + first(catalog) + "\"");
      }
      view = catalog.find(viewNode.asText());
      if (view == null) {
        throw bad("unknown_view", catalog.unknownView(viewNode.asText()));
      }
    }
    List<String> features = features(root.get("features"), view == null);
    List<Column> columns = new ArrayList<>();
    if (features == null) {
      ViewSpec v = view.view();
      List<String> served = v.servedFeatures();
      for (int i = 0; i < served.size(); i++) {
        columns.add(new Column(served.get(i), v.name(), i));
      }
    } else {
      for (String f : features) {
        columns.add(column(f, view, catalog));
      }
    }
    Map<String, Map<String, Object>> byView = new LinkedHashMap<>();
    Map<String, Object> given = requestFields(root.get("request"));
    Set<String> used = new HashSet<>();
    for (Column c : columns) {
      if (byView.containsKey(c.view())) {
        continue;
      }
      ViewSpec v = catalog.find(c.view()).view();
      Map<String, Object> own = new LinkedHashMap<>();
      given.forEach(
          (k, x) -> {
            if (v.requestFields().containsKey(k)) {
              own.put(k, x);
              used.add(k);
            }
          });
      try {
        byView.put(v.name(), RequestFeatures.requestValues(v.name(), v.requestFields(), own));
      } catch (IllegalArgumentException e) {
        throw bad("invalid_request_field", e.getMessage());
      }
    }
    for (String k : given.keySet()) {
      if (!used.contains(k)) {
        throw bad(
            "unknown_request_field",
            "request field '"
                + k
                + "' is not declared by the views read ("
                + String.join(", ", byView.keySet())
                + "); their request fields: "
                + requestFieldNames(byView.keySet(), catalog));
      }
    }
    return new FeatureRequest(entities, columns, byView);
  }

  /** The request fields a view's reads pass (none if the request has none for it). */
  Map<String, Object> requestFor(String view) {
    return requestFields.getOrDefault(view, Map.of());
  }

  private static List<String> requestFieldNames(Set<String> views, ViewCatalog catalog) {
    List<String> out = new ArrayList<>();
    for (String v : views) {
      out.addAll(catalog.find(v).view().requestFields().keySet());
    }
    return out;
  }

  /** The {@code request} object's fields as Long, Double, String, Boolean or null. */
  private static Map<String, Object> requestFields(JsonNode node) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (node == null || node.isNull()) {
      return out;
    }
    if (!node.isObject()) {
      throw bad(
          "invalid_request",
          "\"request\" must be an object of request fields, e.g. {\"amount\": 120.5}; got "
              + kind(node));
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode v = e.getValue();
      Object value =
          switch (v.getNodeType()) {
            case NUMBER -> v.isIntegralNumber() ? (Object) v.longValue() : v.doubleValue();
            case STRING -> v.asText();
            case BOOLEAN -> v.booleanValue();
            case NULL -> null;
            default ->
                throw bad(
                    "invalid_request_field",
                    "request field '"
                        + e.getKey()
                        + "' is "
                        + kind(v)
                        + ": request fields are numbers, strings, booleans or null");
          };
      out.put(e.getKey(), value);
    }
    return out;
  }

  private static JsonNode readJson(byte[] body) {
    if (body.length == 0) {
      throw bad(
          "malformed_json",
          "the body is empty: send a JSON object, e.g. {\"view\": \"customer_risk\", \"entities\":"
              + " [\"c42\"]} (with Content-Type: application/json)");
    }
    try {
      return JSON.readTree(body);
    } catch (JsonProcessingException e) {
      String where =
          e.getLocation() == null
              ? ""
              : " at line "
                  + e.getLocation().getLineNr()
                  + ", column "
                  + e.getLocation().getColumnNr();
      throw bad(
          "malformed_json", "the body is not valid JSON" + where + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      throw bad("malformed_json", "the body could not be read as JSON: " + e.getMessage());
    }
  }

  private static List<String> entities(JsonNode node, int max) {
    if (node == null || node.isNull()) {
      throw bad(
          "invalid_request",
          "\"entities\" is missing: give the entity ids to read, e.g. \"entities\": [\"c42\","
              + " \"c7\"]");
    }
    if (!node.isArray()) {
      throw bad(
          "invalid_request",
          "\"entities\" must be a list of entity ids, e.g. [\"c42\"]; got " + kind(node));
    }
    if (node.isEmpty()) {
      throw bad("empty_entities", "\"entities\" is empty: give at least one entity id");
    }
    if (node.size() > max) {
      throw bad(
          "too_many_entities",
          node.size()
              + " entities in one request; the limit is "
              + max
              + ": split them into requests of at most "
              + max
              + " (the server's --max-entities)");
    }
    List<String> out = new ArrayList<>(node.size());
    for (int i = 0; i < node.size(); i++) {
      JsonNode e = node.get(i);
      String id;
      if (e.isTextual()) {
        id = e.asText();
      } else if (e.isIntegralNumber()) {
        id = e.bigIntegerValue().toString(); // as the job keys a numeric entity field
      } else {
        throw bad(
            "invalid_entity",
            "entities["
                + i
                + "] is "
                + kind(e)
                + ": entity ids are strings (whole numbers are taken as their decimal text)");
      }
      if (id.isEmpty()) {
        throw bad("invalid_entity", "entities[" + i + "] is an empty string: no entity has it");
      }
      out.add(id);
    }
    return out;
  }

  /** The requested feature names, or null for "all of the view's". */
  private static List<String> features(JsonNode node, boolean required) {
    if (node == null || node.isNull()) {
      if (required) {
        throw bad(
            "invalid_request",
            "give \"view\" to read a whole view, or \"features\" as view:feature names to read"
                + " across views, e.g. \"features\": [\"customer_risk:txn_count_1h\"]");
      }
      return null;
    }
    if (!node.isArray()) {
      throw bad(
          "invalid_request",
          "\"features\" must be a list of feature names, e.g. [\"txn_count_1h\"]; got "
              + kind(node));
    }
    if (node.isEmpty()) {
      throw bad(
          "empty_features",
          "\"features\" is empty: list the features to read, or leave \"features\" out to read"
              + " every feature of \"view\"");
    }
    List<String> out = new ArrayList<>(node.size());
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < node.size(); i++) {
      JsonNode f = node.get(i);
      if (!f.isTextual() || f.asText().isEmpty()) {
        throw bad(
            "invalid_request", "features[" + i + "] is " + kind(f) + ": feature names are strings");
      }
      if (!seen.add(f.asText())) {
        throw bad(
            "duplicate_feature",
            "feature '" + f.asText() + "' is listed twice in \"features\": list it once");
      }
      out.add(f.asText());
    }
    return out;
  }

  private static Column column(String name, ViewCatalog.Entry view, ViewCatalog catalog) {
    int colon = name.indexOf(':');
    String viewName;
    String feature;
    if (colon < 0) {
      if (view == null) {
        throw bad(
            "unqualified_feature",
            "feature '"
                + name
                + "' names no view: write view:feature (e.g. '"
                + first(catalog)
                + ":"
                + name
                + "'), or give \"view\" to read features of one view");
      }
      viewName = view.view().name();
      feature = name;
    } else {
      viewName = name.substring(0, colon);
      feature = name.substring(colon + 1);
      if (view != null && !viewName.equals(view.view().name())) {
        throw bad(
            "invalid_request",
            "feature '"
                + name
                + "' is of view '"
                + viewName
                + "' but the request reads view '"
                + view.view().name()
                + "': leave out \"view\" to read features of several views");
      }
    }
    ViewCatalog.Entry e = view != null ? view : catalog.find(viewName);
    if (e == null) {
      throw bad("unknown_view", catalog.unknownView(viewName) + " (in feature '" + name + "')");
    }
    int index = e.view().servedIndexOf(feature);
    if (index < 0) {
      throw bad("unknown_feature", ViewCatalog.unknownFeature(e.view(), feature));
    }
    return new Column(name, e.view().name(), index);
  }

  private static String first(ViewCatalog catalog) {
    return catalog.names().get(0);
  }

  private static String kind(JsonNode n) {
    return switch (n.getNodeType()) {
      case ARRAY -> "a list";
      case OBJECT -> "an object";
      case STRING -> "a string";
      case NUMBER -> "the number " + n.asText();
      case BOOLEAN -> n.asText();
      case NULL, MISSING -> "null";
      case BINARY, POJO -> "a " + n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    };
  }

  private static ApiException bad(String code, String message) {
    return ApiException.badRequest(code, message);
  }
}
