package io.portcullis.checks;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.google.common.net.InetAddresses;

/**
 * One blocklist zone of a {@code dnsbl} / {@code uribl} check: the zone, the return codes that count (empty =
 * any answer) and its score. Written {@code zone}, {@code zone=score} or {@code zone[127.0.0.2|127.0.0.4]=score}.
 */
public record BlocklistZone(String zone, Set<String> codes, int score) {
    private static final Pattern SPEC = Pattern.compile("([A-Za-z0-9_.-]+)(?:\\[([0-9.|\\s]+)\\])?(?:\\s*=\\s*(-?\\d+))?");

    public BlocklistZone {
        codes = Set.copyOf(codes);
    }

    public static List<BlocklistZone> parseAll(List<String> items, int defaultScore) {
        List<BlocklistZone> zones = new ArrayList<>();
        for (String item : items) {
            zones.add(parse(item, defaultScore));
        }
        return zones;
    }

    public static BlocklistZone parse(String item, int defaultScore) {
        Matcher matcher = SPEC.matcher(item.trim());
        if (!matcher.matches()) {
            throw new IllegalArgumentException("'" + item + "' is not zone, zone=score or zone[127.0.0.2|127.0.0.4]=score");
        }
        Set<String> codes = new LinkedHashSet<>();
        if (matcher.group(2) != null) {
            for (String code : matcher.group(2).split("\\|")) {
                String trimmed = code.trim();
                if (!InetAddresses.isInetAddress(trimmed)) {
                    throw new IllegalArgumentException("return code '" + trimmed + "' of zone " + matcher.group(1) + " is not an IPv4 address");
                }
                codes.add(trimmed);
            }
        }
        String zone = matcher.group(1);
        while (zone.endsWith(".")) {
            zone = zone.substring(0, zone.length() - 1);
        }
        int score = matcher.group(3) == null ? defaultScore : Integer.parseInt(matcher.group(3));
        return new BlocklistZone(zone.toLowerCase(java.util.Locale.ROOT), codes, score);
    }

    /** The answers that count for this zone (all of them when no return-code filter is set). */
    public List<String> counted(List<String> answers) {
        if (codes.isEmpty()) {
            return answers;
        }
        return answers.stream().filter(codes::contains).toList();
    }
}
