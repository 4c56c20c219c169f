package io.freshet.serving.http;

import java.util.List;

/**
 * Which registered route a request path falls under: the {@code endpoint} label of the metrics,
 * which must be a route template (e.g. {@code /v1/views/{view}}) and never the path itself, so that
 * the number of series stays bounded whatever clients send.
 */
final class RouteTable {
  static final String UNMATCHED = "unmatched";

  private RouteTable() {}

  /**
   * The template of the first route whose path matches (a trailing slash ignored), or UNMATCHED.
   */
  static String endpointOf(List<FeatureServer.Route> routes, String path) {
    String p =
        path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    String[] segments = p.split("/", -1);
    for (FeatureServer.Route r : routes) {
      String[] template = r.path().split("/", -1);
      if (template.length != segments.length) {
        continue;
      }
      boolean match = true;
      for (int i = 0; i < template.length && match; i++) {
        match =
            template[i].startsWith("{") ? !segments[i].isEmpty() : template[i].equals(segments[i]);
      }
      if (match) {
        return r.path();
      }
    }
    return UNMATCHED;
  }
}
