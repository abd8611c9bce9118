package io.portcullis.report.schedule;

import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;
import java.util.Optional;

/**
 * A five-field cron expression ({@code minute hour day-of-month month day-of-week}), e.g. {@code 0 8,13 * * *}.
 * Each field: {@code *}, numbers, ranges {@code a-b}, lists {@code a,b} and steps {@code *}{@code /n} or
 * {@code a-b/n}. Day of week 0-7 (0 and 7 are Sunday). As in cron, when both day fields are restricted a day
 * matching either one matches.
 */
public final class CronExpression {
    private final String text;
    private final BitSet minutes;
    private final BitSet hours;
    private final BitSet days;
    private final BitSet months;
    private final BitSet weekdays;
    private final boolean dayRestricted;
    private final boolean weekdayRestricted;

    private CronExpression(String text, BitSet minutes, BitSet hours, BitSet days, BitSet months, BitSet weekdays,
                           boolean dayRestricted, boolean weekdayRestricted) {
        this.text = text;
        this.minutes = minutes;
        this.hours = hours;
        this.days = days;
        this.months = months;
        this.weekdays = weekdays;
        this.dayRestricted = dayRestricted;
        this.weekdayRestricted = weekdayRestricted;
    }

    /** @throws IllegalArgumentException naming the bad field and what is allowed */
    public static CronExpression parse(String expression) {
        String[] fields = expression.trim().split("\\s+");
        if (fields.length != 5) {
            throw new IllegalArgumentException("'" + expression + "' is not a cron expression: expected 5 fields "
                + "(minute hour day-of-month month day-of-week), e.g. '0 8,13 * * *'");
        }
        BitSet weekdays = field(fields[4], 0, 7, "day-of-week");
        if (weekdays.get(7)) {
            weekdays.set(0);
            weekdays.clear(7);
        }
        return new CronExpression(expression.trim(), field(fields[0], 0, 59, "minute"), field(fields[1], 0, 23, "hour"),
            field(fields[2], 1, 31, "day-of-month"), field(fields[3], 1, 12, "month"), weekdays,
            !fields[2].equals("*"), !fields[4].equals("*"));
    }

    private static BitSet field(String value, int min, int max, String name) {
        BitSet bits = new BitSet(max + 1);
        for (String part : value.split(",", -1)) {
            try {
                int step = 1;
                String range = part;
                int slash = part.indexOf('/');
                if (slash >= 0) {
                    step = Integer.parseInt(part.substring(slash + 1));
                    range = part.substring(0, slash);
                    if (step < 1) {
                        throw new NumberFormatException();
                    }
                }
                int from;
                int to;
                if (range.equals("*")) {
                    from = min;
                    to = max;
                } else if (range.contains("-")) {
                    from = Integer.parseInt(range.substring(0, range.indexOf('-')));
                    to = Integer.parseInt(range.substring(range.indexOf('-') + 1));
                } else {
                    from = Integer.parseInt(range);
                    to = slash >= 0 ? max : from;
                }
                if (from < min || to > max || from > to) {
                    throw new NumberFormatException();
                }
                for (int i = from; i <= to; i += step) {
                    bits.set(i);
                }
            } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
                throw new IllegalArgumentException("'" + part + "' is not a valid " + name + " field: allowed are *, "
                    + min + "-" + max + ", ranges a-b, lists a,b and steps */n");
            }
        }
        return bits;
    }

    /** The first time strictly after {@code after} (to the minute) that matches, within the next 5 years. */
    public Optional<ZonedDateTime> next(ZonedDateTime after) {
        ZonedDateTime t = after.truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
        ZonedDateTime limit = after.plusYears(5);
        while (t.isBefore(limit)) {
            if (!months.get(t.getMonthValue())) {
                t = t.withDayOfMonth(1).truncatedTo(ChronoUnit.DAYS).plusMonths(1);
                continue;
            }
            if (!dayMatches(t)) {
                t = t.truncatedTo(ChronoUnit.DAYS).plusDays(1);
                continue;
            }
            if (!hours.get(t.getHour())) {
                t = t.truncatedTo(ChronoUnit.HOURS).plusHours(1);
                continue;
            }
            if (!minutes.get(t.getMinute())) {
                t = t.plusMinutes(1);
                continue;
            }
            return Optional.of(t);
        }
        return Optional.empty();
    }

    public Optional<ZonedDateTime> next(java.time.Instant after, ZoneId zone) {
        return next(after.atZone(zone));
    }

    private boolean dayMatches(ZonedDateTime t) {
        boolean day = days.get(t.getDayOfMonth());
        boolean weekday = weekdays.get(t.getDayOfWeek().getValue() % 7);
        if (dayRestricted && weekdayRestricted) {
            return day || weekday;
        }
        return day && weekday;
    }

    @Override
    public String toString() {
        return text;
    }
}
