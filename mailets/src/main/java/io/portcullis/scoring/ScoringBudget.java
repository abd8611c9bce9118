package io.portcullis.scoring;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

import org.apache.james.util.DurationParser;

import io.portcullis.store.KnownKeys;

/**
 * How long the checks of one message may take together, and how many checks may run at once. Read from
 * {@code conf/portcullis.properties}:
 *
 * <pre>
 * scoring.budget=20s     (per message, all ScoreFilter checks together, DNS waits included; 100ms to 10m)
 * scoring.threads=64     (checks running at once, abandoned ones included; 1 to 1000)
 * </pre>
 *
 * A bad value is an {@link IllegalArgumentException} naming the key, the value and what is allowed.
 */
public record ScoringBudget(Duration perMessage, int threads) {
    public static final String BUDGET = "scoring.budget";
    public static final String THREADS = "scoring.threads";
    public static final String PREFIX = "scoring.";
    /** Every key read; any other {@code scoring.*} key is refused. */
    public static final Set<String> KEYS = Set.of(BUDGET, THREADS);
    public static final Duration DEFAULT_BUDGET = Duration.ofSeconds(20);
    public static final int DEFAULT_THREADS = 64;
    private static final Duration MIN_BUDGET = Duration.ofMillis(100);
    private static final Duration MAX_BUDGET = Duration.ofMinutes(10);

    public ScoringBudget {
        if (perMessage.compareTo(MIN_BUDGET) < 0 || perMessage.compareTo(MAX_BUDGET) > 0) {
            throw invalid(BUDGET, perMessage.toString(), "a duration from 100ms to 10m such as 20s");
        }
        if (threads < 1 || threads > 1000) {
            throw invalid(THREADS, String.valueOf(threads), "an integer from 1 to 1000");
        }
    }

    public static ScoringBudget defaults() {
        return new ScoringBudget(DEFAULT_BUDGET, DEFAULT_THREADS);
    }

    public static ScoringBudget from(Properties properties) {
        KnownKeys.refuseUnknown(properties, PREFIX, KEYS);
        Duration budget = value(properties, BUDGET).map(ScoringBudget::budget).orElse(DEFAULT_BUDGET);
        int threads = value(properties, THREADS).map(ScoringBudget::threads).orElse(DEFAULT_THREADS);
        return new ScoringBudget(budget, threads);
    }

    private static Duration budget(String value) {
        Duration parsed;
        try {
            parsed = DurationParser.parse(value, ChronoUnit.SECONDS);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw invalid(BUDGET, value, "a duration from 100ms to 10m such as 20s");
        }
        if (parsed.compareTo(MIN_BUDGET) < 0 || parsed.compareTo(MAX_BUDGET) > 0) {
            throw invalid(BUDGET, value, "a duration from 100ms to 10m such as 20s");
        }
        return parsed;
    }

    private static int threads(String value) {
        try {
            int parsed = Integer.parseInt(value);
            if (parsed >= 1 && parsed <= 1000) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw invalid(THREADS, value, "an integer from 1 to 1000");
    }

    private static Optional<String> value(Properties properties, String key) {
        return Optional.ofNullable(properties.getProperty(key)).map(String::trim).filter(s -> !s.isEmpty());
    }

    private static IllegalArgumentException invalid(String key, String value, String expected) {
        return new IllegalArgumentException("portcullis.properties: " + key + " has invalid value '" + value + "': expected " + expected);
    }

    /** For reasons: "20s", "1500ms". */
    public String describe() {
        long millis = perMessage.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }
}
