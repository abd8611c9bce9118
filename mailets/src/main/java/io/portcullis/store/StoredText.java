package io.portcullis.store;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Text made to fit a {@code VARCHAR(n)} column of the gateway store, whatever a sender put in it. Every value a
 * store writes goes through here, so that no subject, file name, address, host or reason can make a write fail:
 * <ul>
 *   <li>NUL characters are dropped (PostgreSQL refuses them in text columns);</li>
 *   <li>an unpaired surrogate (half of a character cut elsewhere) becomes U+FFFD (it cannot be encoded in UTF-8);</li>
 *   <li>the value is cut to {@code n} UTF-16 units, never inside a surrogate pair, and ends with "…" when cut.
 *       Derby counts a {@code VARCHAR} in UTF-16 units, PostgreSQL in characters (code points): a value of at most
 *       {@code n} units fits both.</li>
 * </ul>
 * JSON columns are cut <em>after</em> escaping ({@link #fitJson}): the stored string, escapes included, fits.
 */
public final class StoredText {
    /** Marks a value that was cut. */
    public static final String ELLIPSIS = "…";
    private static final char REPLACEMENT = '\uFFFD';
    private static final ObjectMapper JSON = new ObjectMapper();

    private StoredText() {
    }

    /** {@code value} cleaned and cut to at most {@code max} UTF-16 units; null stays null. */
    public static String fit(String value, int max) {
        if (value == null) {
            return null;
        }
        if (max < 1) {
            throw new IllegalArgumentException("a column holds at least one character, not " + max);
        }
        String clean = clean(value);
        if (clean.length() <= max) {
            return clean;
        }
        return cut(clean, max - ELLIPSIS.length()) + ELLIPSIS;
    }

    /** Without NUL characters and with every unpaired surrogate replaced by U+FFFD; the same instance when already clean. */
    public static String clean(String value) {
        int length = value.length();
        int i = 0;
        while (i < length) {
            char c = value.charAt(i);
            if (c == 0 || Character.isSurrogate(c) && !pairAt(value, i)) {
                break;
            }
            i += Character.isHighSurrogate(c) ? 2 : 1;
        }
        if (i >= length) {
            return value;
        }
        StringBuilder out = new StringBuilder(length);
        out.append(value, 0, i);
        while (i < length) {
            char c = value.charAt(i);
            if (c == 0) {
                i++;
            } else if (Character.isHighSurrogate(c) && pairAt(value, i)) {
                out.append(c).append(value.charAt(i + 1));
                i += 2;
            } else {
                out.append(Character.isSurrogate(c) ? REPLACEMENT : c);
                i++;
            }
        }
        return out.toString();
    }

    private static boolean pairAt(String value, int i) {
        return Character.isHighSurrogate(value.charAt(i)) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1));
    }

    /** The first {@code units} UTF-16 units of a clean value, one fewer when the last would split a surrogate pair. */
    private static String cut(String clean, int units) {
        int end = Math.max(0, units);
        if (end > 0 && end < clean.length() && Character.isHighSurrogate(clean.charAt(end - 1))) {
            end--;
        }
        return clean.substring(0, end);
    }

    /**
     * A JSON object of {@code info} at most {@code max} characters long, escapes included. When the whole object is
     * too long, the longest values are cut (each ends with "…") until it fits; keys are cut to 64 characters. The
     * result always parses back as a JSON object of strings.
     */
    public static String fitJson(Map<String, String> info, int max) {
        if (max < 64) {
            throw new IllegalArgumentException("a JSON column needs at least 64 characters, not " + max);
        }
        Map<String, String> clean = new LinkedHashMap<>();
        info.forEach((key, value) -> clean.put(fit(key, 64), fit(value == null ? "" : value, max)));
        String json = write(clean);
        if (json.length() <= max) {
            return json;
        }
        // Share what is left after the keys and the punctuation between the values, the shortest first: a short
        // value keeps all of itself, the long ones share the rest equally.
        int overhead = 2;
        for (String key : clean.keySet()) {
            overhead += escapedLength(key) + 2 + 4; // "key":"" and a comma
        }
        int budget = Math.max(0, max - overhead);
        Map<String, Integer> escaped = new LinkedHashMap<>();
        clean.forEach((key, value) -> escaped.put(key, escapedLength(value)));
        Map<String, Integer> shares = new LinkedHashMap<>();
        int remaining = budget;
        int left = clean.size();
        for (Map.Entry<String, Integer> e : escaped.entrySet().stream().sorted(Map.Entry.comparingByValue()).toList()) {
            int share = remaining / left;
            int given = Math.min(share, e.getValue());
            shares.put(e.getKey(), given);
            remaining -= given;
            left--;
        }
        Map<String, String> cut = new LinkedHashMap<>();
        clean.forEach((key, value) -> cut.put(key, escaped.get(key) <= shares.get(key) ? value : cutEscaped(value, shares.get(key))));
        String result = write(cut);
        if (result.length() <= max) {
            return result;
        }
        // Not reached with Jackson's escaping; kept so that a change of escaping can never make a write fail.
        return write(Map.of("truncated", "true"));
    }

    /** The longest prefix of {@code value} whose JSON escaping, plus the ellipsis, is at most {@code units} long. */
    private static String cutEscaped(String value, int units) {
        int room = units - ELLIPSIS.length();
        int used = 0;
        int end = 0;
        while (end < value.length()) {
            int step = Character.isHighSurrogate(value.charAt(end)) && end + 1 < value.length() ? 2 : 1;
            int cost = 0;
            for (int k = end; k < end + step; k++) {
                cost += escapedLength(value.charAt(k));
            }
            if (used + cost > room) {
                break;
            }
            used += cost;
            end += step;
        }
        return room <= 0 ? "" : value.substring(0, end) + ELLIPSIS;
    }

    private static int escapedLength(String value) {
        int length = 0;
        for (int i = 0; i < value.length(); i++) {
            length += escapedLength(value.charAt(i));
        }
        return length;
    }

    /** Upper bound of a character's length in a JSON string: \" and \\ take 2, control characters at most 6 (backslash u 4 hex digits). */
    private static int escapedLength(char c) {
        if (c == '"' || c == '\\') {
            return 2;
        }
        return c < 0x20 ? 6 : 1;
    }

    private static String write(Map<String, String> map) {
        try {
            return JSON.writeValueAsString(map);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings always serialises", e);
        }
    }
}
