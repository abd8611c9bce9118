package io.portcullis.tracking.route;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.io.StringReader;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.apache.james.webadmin.WebAdminServer;
import org.apache.james.webadmin.WebAdminUtils;
import org.apache.james.webadmin.utils.JsonTransformer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import io.portcullis.tracking.EventType;
import io.portcullis.tracking.MessageInfo;
import io.portcullis.tracking.TrackedEvent;
import io.portcullis.tracking.TrackingInfo;
import io.portcullis.tracking.store.Periods;
import io.portcullis.tracking.store.TrackingDao;
import io.portcullis.tracking.store.TrackingStoreFixture;
import io.restassured.RestAssured;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TrackingRoutesTest {
    // "today" for the routes: Wednesday 2026-11-18 10:00 UTC
    private static final Instant NOW = Instant.parse("2026-11-18T10:00:00Z");

    private TrackingStoreFixture fixture;
    private WebAdminServer server;

    @BeforeAll
    void start() throws Exception {
        fixture = new TrackingStoreFixture();
        TrackingDao dao = new TrackingDao(fixture.store().dataSource(), "node-a");
        Periods periods = new Periods(Clock.fixed(NOW, ZoneOffset.UTC), DayOfWeek.MONDAY);
        server = WebAdminUtils.createWebAdminServer(
            new TrackingRoutes(dao, periods, new TrackingRoutes.TrackingRouteSettings(3), new JsonTransformer()),
            new MailInLogRoutes(dao, periods, new JsonTransformer())).start();
        RestAssured.requestSpecification = WebAdminUtils.buildRequestSpecification(server).build();

        write(dao, "today-1", NOW.minusSeconds(3600), EventType.RECEIVED_BY_MTA, Map.of(), MessageInfo.builder()
            .sender("alice@example.com").recipients(List.of("bob@acme.test")).subject("Invoice, \"final\"\nsecond line")
            .attachments(List.of("invoice.pdf")).messageSecurity("smime").tls(true).build());
        write(dao, "today-1", NOW.minusSeconds(3500), EventType.DELIVERED, Map.of(TrackingInfo.HOSTNAME, "mail.acme.test"), MessageInfo.unknown());
        write(dao, "yesterday-1", NOW.minusSeconds(86400), EventType.REJECTED, Map.of(TrackingInfo.REJECT_REASON, "spam:relayingdenied",
            TrackingInfo.RECIPIENTS, "victim@elsewhere.example", TrackingInfo.SENDING_HOST, "203.0.113.9"), MessageInfo.builder()
            .sender("mallory@evil.example").build());
        write(dao, "lastweek-1", Instant.parse("2026-11-10T08:00:00Z"), EventType.RECEIVED_BY_MTA, Map.of(), MessageInfo.builder()
            .recipients(List.of("bob@acme.test")).subject("Delivery Status Notification").build());
        write(dao, "lastmonth-1", Instant.parse("2026-10-31T23:00:00Z"), EventType.HELD, Map.of(TrackingInfo.HELD_AREA, "spam"),
            MessageInfo.builder().sender("spammer@junk.example").recipients(List.of("carol@acme.test")).subject("Cheap").build());
    }

    private static void write(TrackingDao dao, String id, Instant at, EventType type, Map<String, String> info, MessageInfo message) throws Exception {
        dao.writeAll(List.of(new TrackingDao.Write(new TrackedEvent(id, type, at, info), message)));
    }

    @AfterAll
    void stop() {
        server.destroy();
        fixture.close();
    }

    @Nested
    class Search {
        @Test
        void searchShouldListNewestFirstWithTotal() {
            given().get("/portcullis/tracking").then()
                .statusCode(200)
                .body("total", equalTo(4))
                .body("totalIsLowerBound", equalTo(false))
                .body("pageSize", equalTo(20))
                .body("messages.trackingId", contains("today-1", "yesterday-1", "lastweek-1", "lastmonth-1"));
        }

        @Test
        void searchShouldSayTheTotalIsExactWhenASubjectSearchMatchesFewerThanTheCap() {
            given().queryParam("subject", " status notification").get("/portcullis/tracking").then()
                .statusCode(200)
                .body("total", equalTo(1))
                .body("totalIsLowerBound", equalTo(false))
                .body("messages.trackingId", contains("lastweek-1"));
        }

        @Test
        void searchShouldShowStatusAndRejectReason() {
            given().queryParam("rejectReason", "spam:relayingdenied").get("/portcullis/tracking").then()
                .statusCode(200)
                .body("messages.trackingId", contains("yesterday-1"))
                .body("messages[0].status", equalTo("rejected"))
                .body("messages[0].sendingHost", equalTo("203.0.113.9"))
                .body("messages[0].recipients", contains("victim@elsewhere.example"));
        }

        @Test
        void searchShouldFilterByEachCriterion() {
            Map<String, String> criteria = Map.ofEntries(
                Map.entry("sender=alice@example.com", "today-1"),
                Map.entry("sender=@junk.example", "lastmonth-1"),
                Map.entry("sender=<>", "lastweek-1"),
                Map.entry("recipient=carol@acme.test", "lastmonth-1"),
                Map.entry("subject=STATUS", "lastweek-1"),
                Map.entry("sendingHost=203.0.113.9", "yesterday-1"),
                Map.entry("attachment=Invoice.pdf", "today-1"),
                Map.entry("messageSecurity=smime", "today-1"),
                Map.entry("transportSecurity=tls", "today-1"),
                Map.entry("action=rejected", "yesterday-1"),
                Map.entry("status=held", "lastmonth-1"),
                Map.entry("period=today", "today-1"),
                Map.entry("period=yesterday", "yesterday-1"),
                Map.entry("period=lastWeek", "lastweek-1"),
                Map.entry("period=lastMonth", "lastmonth-1"),
                Map.entry("from=2026-11-10&to=2026-11-10", "lastweek-1"));
            criteria.forEach((query, expected) -> assertThat(given().get("/portcullis/tracking?" + query)
                    .then().statusCode(200).extract().<List<String>>path("messages.trackingId"))
                .as(query).containsExactly(expected));
        }

        @Test
        void thisWeekAndThisMonthShouldFollowTheClock() {
            given().queryParam("period", "thisWeek").get("/portcullis/tracking").then()
                .body("messages.trackingId", contains("today-1", "yesterday-1"));
            given().queryParam("period", "thisMonth").get("/portcullis/tracking").then()
                .body("messages.trackingId", contains("today-1", "yesterday-1", "lastweek-1"));
        }

        @Test
        void searchShouldPage() {
            given().queryParam("page", "2").queryParam("pageSize", "20").get("/portcullis/tracking").then()
                .statusCode(200).body("total", equalTo(4)).body("messages.size()", equalTo(0));
        }

        @Test
        void searchShouldRejectAPageSizeNotOffered() {
            given().queryParam("pageSize", "25").get("/portcullis/tracking").then()
                .statusCode(400)
                .body("type", equalTo("InvalidArgument"))
                .body("message", containsString("'pageSize' has invalid value '25'"));
        }

        @Test
        void searchShouldRejectAnUnknownCriterion() {
            given().queryParam("colour", "red").get("/portcullis/tracking").then()
                .statusCode(400).body("message", containsString("Unknown parameter(s) [colour]"));
        }

        @Test
        void searchShouldRejectABadDate() {
            given().queryParam("from", "yesterday-ish").get("/portcullis/tracking").then()
                .statusCode(400).body("message", containsString("'from' has invalid value 'yesterday-ish'"));
        }

        @Test
        void searchShouldRejectAnUnknownPeriodAndAMixedRange() {
            given().queryParam("period", "lastYear").get("/portcullis/tracking").then()
                .statusCode(400).body("message", containsString("'period' has invalid value 'lastYear'"));
            given().queryParam("period", "today").queryParam("from", "2026-11-01").get("/portcullis/tracking").then()
                .statusCode(400).body("message", containsString("cannot be combined"));
        }

        @Test
        void searchShouldNotBeInjectable() {
            given().queryParam("sender", "x@y.z' OR '1'='1").get("/portcullis/tracking").then()
                .statusCode(400);
            given().queryParam("subject", "' OR 1=1; DROP TABLE tracking_message; --").get("/portcullis/tracking").then()
                .statusCode(200).body("total", equalTo(0));
            given().get("/portcullis/tracking").then().statusCode(200).body("total", equalTo(4));
        }
    }

    @Nested
    class Detail {
        @Test
        void detailShouldGiveTheMessageAndItsEventsOldestFirst() {
            given().get("/portcullis/tracking/today-1").then()
                .statusCode(200)
                .body("message.sender", equalTo("alice@example.com"))
                .body("message.status", equalTo("delivered"))
                .body("message.transportSecurity", equalTo("tls"))
                .body("events.type", contains("RECEIVED_BY_MTA", "DELIVERED"))
                .body("events[1].label", equalTo("Delivered to destination SMTP server"))
                .body("events[1].info.Hostname", equalTo("mail.acme.test"));
        }

        @Test
        void detailShouldAnswer404ForAnUnknownId() {
            given().get("/portcullis/tracking/nope").then()
                .statusCode(404)
                .body("type", equalTo("notFound"))
                .body("message", containsString("'nope'"));
        }
    }

    @Nested
    class Csv {
        @Test
        void csvShouldParseBackWithTheSeedColumnsAndQuoting() throws Exception {
            String body = given().queryParam("sender", "alice@example.com").get("/portcullis/tracking.csv").then()
                .statusCode(200).contentType(containsString("text/csv")).extract().asString();

            List<CSVRecord> records = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).build()
                .parse(new StringReader(body)).getRecords();
            assertThat(records).hasSize(1);
            CSVRecord record = records.get(0);
            assertThat(record.getParser().getHeaderNames()).containsExactlyElementsOf(TrackingRoutes.CSV_COLUMNS);
            assertThat(record.get("Subject")).isEqualTo("Invoice, \"final\"\nsecond line");
            assertThat(record.get("Sender")).isEqualTo("alice@example.com");
            assertThat(record.get("Event Type")).isEqualTo("Delivered to destination SMTP server");
            assertThat(record.get("Encryption Type")).isEqualTo("smime");
            assertThat(record.get("Attachments")).isEqualTo("invoice.pdf");
            assertThat(record.get("Timestamp")).isEqualTo("2026-11-18T09:00:00Z");
        }

        @Test
        void csvShouldStopAtTheSafetyCap() throws Exception {
            String body = given().get("/portcullis/tracking.csv").then().statusCode(200).extract().asString();

            assertThat(CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).build()
                .parse(new StringReader(body)).getRecords()).hasSize(3);
        }

        @Test
        void csvShouldRejectBadParameters() {
            given().queryParam("page", "2").get("/portcullis/tracking.csv").then()
                .statusCode(400).body("message", containsString("Unknown parameter(s) [page]"));
        }
    }

    @Nested
    class MailIn {
        @Test
        void mailInShouldListDateSenderRecipientsSubjectAndStatus() {
            given().queryParam("recipient", "@acme.test").get("/portcullis/logs/mail-in").then()
                .statusCode(200)
                .body("total", equalTo(3))
                .body("entries.trackingId", contains("today-1", "lastweek-1", "lastmonth-1"))
                .body("entries[0].status", equalTo("delivered"))
                .body("entries[0].date", equalTo("2026-11-18T09:00:00Z"))
                .body("entries[1].sender", equalTo("<>"))
                .body("entries[2].subject", equalTo("Cheap"));
        }

        @Test
        void mailInShouldRejectBadParameters() {
            given().queryParam("recipient", "<>").get("/portcullis/logs/mail-in").then()
                .statusCode(400).body("message", containsString("'recipient' has invalid value '<>'"));
        }
    }
}
