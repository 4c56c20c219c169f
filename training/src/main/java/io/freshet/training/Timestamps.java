package io.freshet.training;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * Spine timestamps to epoch milliseconds. Text: epoch milliseconds, an ISO-8601 instant or offset
 * date-time ({@code 2026-01-01T10:00:00Z}), a local date-time taken as UTC ({@code 2026-01-01
 * 10:00:00.250} or with a {@code T}), or a date (midnight UTC).
 */
final class Timestamps {
  private Timestamps() {}

  /** Parses text, or returns Long.MIN_VALUE when it is not a timestamp. */
  static long parse(String text) {
    String s = text.trim();
    if (s.isEmpty()) {
      return Long.MIN_VALUE;
    }
    char c0 = s.charAt(0);
    boolean digits = true;
    for (int i = (c0 == '-' ? 1 : 0); i < s.length(); i++) {
      if (!Character.isDigit(s.charAt(i))) {
        digits = false;
        break;
      }
    }
    if (digits && s.length() > (c0 == '-' ? 1 : 0) && s.length() != 8) {
      try {
        return Long.parseLong(s);
      } catch (NumberFormatException e) {
        return Long.MIN_VALUE;
      }
    }
    String t = s.replace(' ', 'T');
    try {
      if (t.endsWith("Z")) {
        return Instant.parse(t).toEpochMilli();
      }
      if (t.length() == 10) {
        return LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
      }
      int tIdx = t.indexOf('T');
      if (tIdx > 0 && (t.indexOf('+', tIdx) > 0 || t.indexOf('-', tIdx) > 0)) {
        return OffsetDateTime.parse(t).toInstant().toEpochMilli();
      }
      return LocalDateTime.parse(t).toInstant(ZoneOffset.UTC).toEpochMilli();
    } catch (DateTimeParseException e) {
      return Long.MIN_VALUE;
    }
  }
}
