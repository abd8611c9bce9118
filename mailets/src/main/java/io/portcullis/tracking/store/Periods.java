package io.portcullis.tracking.store;

import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.TemporalAdjusters;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The "Received" period presets of the tracking search, resolved against a {@link Clock} in the administrator's time zone.
 * Each range is [from, to): {@code today} is from midnight to the next midnight, {@code thisWeek} from the first
 * day of the week (configurable) to the end of today, {@code lastWeek} the seven days before that, and the
 * same for months.
 */
public final class Periods {
    public enum Preset {
        TODAY("today"), YESTERDAY("yesterday"), THIS_WEEK("thisWeek"), LAST_WEEK("lastWeek"), THIS_MONTH("thisMonth"), LAST_MONTH("lastMonth");

        private final String parameter;

        Preset(String parameter) {
            this.parameter = parameter;
        }

        public String parameter() {
            return parameter;
        }

        public static Optional<Preset> parse(String value) {
            return Arrays.stream(values()).filter(p -> p.parameter.equalsIgnoreCase(value.trim())).findFirst();
        }

        public static List<String> parameters() {
            return Arrays.stream(values()).map(Preset::parameter).collect(Collectors.toList());
        }
    }

    public record Range(Instant from, Instant to) {
    }

    private final Clock clock;
    private final DayOfWeek weekStart;

    public Periods(Clock clock, DayOfWeek weekStart) {
        this.clock = clock;
        this.weekStart = weekStart;
    }

    public ZoneId zone() {
        return clock.getZone();
    }

    public Clock clock() {
        return clock;
    }

    public Range resolve(Preset preset) {
        LocalDate today = LocalDate.now(clock);
        LocalDate tomorrow = today.plusDays(1);
        LocalDate weekStartDay = today.with(TemporalAdjusters.previousOrSame(weekStart));
        LocalDate monthStart = today.withDayOfMonth(1);
        switch (preset) {
            case TODAY:
                return range(today, tomorrow);
            case YESTERDAY:
                return range(today.minusDays(1), today);
            case THIS_WEEK:
                return range(weekStartDay, tomorrow);
            case LAST_WEEK:
                return range(weekStartDay.minusWeeks(1), weekStartDay);
            case THIS_MONTH:
                return range(monthStart, tomorrow);
            case LAST_MONTH:
                return range(monthStart.minusMonths(1), monthStart);
            default:
                throw new IllegalArgumentException(preset.name());
        }
    }

    private Range range(LocalDate from, LocalDate to) {
        return new Range(from.atStartOfDay(clock.getZone()).toInstant(), to.atStartOfDay(clock.getZone()).toInstant());
    }
}
