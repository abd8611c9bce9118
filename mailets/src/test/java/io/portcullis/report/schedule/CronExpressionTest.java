package io.portcullis.report.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.ZonedDateTime;

import org.junit.jupiter.api.Test;

class CronExpressionTest {
    static ZonedDateTime at(String text) {
        return ZonedDateTime.parse(text);
    }

    @Test
    void nextShouldGiveEachListedHourWhenTwiceADay() {
        CronExpression cron = CronExpression.parse("0 8,13 * * *");

        assertThat(cron.next(at("2026-11-23T07:59:30Z"))).contains(at("2026-11-23T08:00Z"));
        assertThat(cron.next(at("2026-11-23T08:00Z"))).contains(at("2026-11-23T13:00Z"));
        assertThat(cron.next(at("2026-11-23T13:00Z"))).contains(at("2026-11-24T08:00Z"));
    }

    @Test
    void nextShouldHonourStepsAndRanges() {
        assertThat(CronExpression.parse("*/15 * * * *").next(at("2026-11-23T08:07Z"))).contains(at("2026-11-23T08:15Z"));
        assertThat(CronExpression.parse("30 9-17/4 * * *").next(at("2026-11-23T10:00Z"))).contains(at("2026-11-23T13:30Z"));
    }

    @Test
    void nextShouldHonourDayOfWeekWhenWeekdaysOnly() {
        // 2026-11-28 is a Saturday
        assertThat(CronExpression.parse("0 8 * * 1-5").next(at("2026-11-27T09:00Z"))).contains(at("2026-11-30T08:00Z"));
        assertThat(CronExpression.parse("0 8 * * 7").next(at("2026-11-27T09:00Z"))).contains(at("2026-11-29T08:00Z"));
    }

    @Test
    void nextShouldMatchEitherDayFieldWhenBothRestricted() {
        // 1st of the month or Monday: from Tue 2026-11-24, the next is Mon 2026-11-30
        assertThat(CronExpression.parse("0 0 1 * 1").next(at("2026-11-24T00:00Z"))).contains(at("2026-11-30T00:00Z"));
    }

    @Test
    void nextShouldHonourDayAndMonth() {
        assertThat(CronExpression.parse("0 6 29 2 *").next(at("2026-11-23T00:00Z"))).contains(at("2028-02-29T06:00Z"));
    }

    @Test
    void parseShouldFailNamingFieldWhenValueOutOfRange() {
        assertThatThrownBy(() -> CronExpression.parse("0 25 * * *")).hasMessageContaining("'25'").hasMessageContaining("hour");
        assertThatThrownBy(() -> CronExpression.parse("0 8 * *")).hasMessageContaining("5 fields");
        assertThatThrownBy(() -> CronExpression.parse("*/0 8 * * *")).hasMessageContaining("minute");
        assertThatThrownBy(() -> CronExpression.parse("x 8 * * *")).hasMessageContaining("minute");
    }
}
