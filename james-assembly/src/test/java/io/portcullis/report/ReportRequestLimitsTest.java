package io.portcullis.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.james.util.Port;
import org.apache.james.utils.SMTPMessageSender;
import org.apache.james.utils.TestIMAPClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.portcullis.dns.TestDnsServer;
import io.portcullis.server.PortcullisTestServer;
import io.restassured.path.json.JsonPath;

/**
 * The on-demand report's rate limits on the bundled server, over SMTP AUTH on the submission port and IMAP: at most
 * 2 requests per address per hour and 3 for the whole gateway here (PORTCULLIS_REPORT_MAX_PER_HOUR and
 * PORTCULLIS_REPORT_MAX_PER_HOUR_TOTAL), counted in the gateway store, so that a restart forgets nothing.
 */
class ReportRequestLimitsTest {
    private static final List<String> USERS = List.of("bob", "carol", "dave");

    @TempDir
    Path dir;
    TestDnsServer dns;
    PortcullisTestServer server;

    @BeforeEach
    void start() throws Exception {
        dns = TestDnsServer.start().a("remote.example", "192.0.2.10");
        server = PortcullisTestServer.prepare(dir, Map.of(
            "PORTCULLIS_CHECKS_DNS", "127.0.0.1:" + dns.port(),
            "PORTCULLIS_DNSBL_ZONES", "bl.test=60",
            "PORTCULLIS_URIBL_ZONES", "uribl.test=60",
            "PORTCULLIS_RELAY_NETWORKS", PortcullisTestServer.NO_RELAY_NETWORK,
            "PORTCULLIS_REPORT_MAX_PER_HOUR", "2",
            "PORTCULLIS_REPORT_MAX_PER_HOUR_TOTAL", "3"))
            .start();
        server.addDomain("acme.test");
        for (String user : USERS) {
            server.addUser(user + "@acme.test", user + "-Pass-1");
        }
    }

    @AfterEach
    void stop() {
        server.stop();
        dns.close();
    }

    void request(String user, String subject) throws Exception {
        try (SMTPMessageSender smtp = new SMTPMessageSender("acme.test")) {
            smtp.connect("127.0.0.1", Port.of(server.submissionPort())).authenticate(user + "@acme.test", user + "-Pass-1")
                .sendMessageWithHeaders(user + "@acme.test", "manual-report-request@acme.test",
                    "From: " + user + "@acme.test\r\nTo: manual-report-request@acme.test\r\nSubject: " + subject + "\r\n\r\nplease\r\n");
        }
    }

    /** The outcome the gateway recorded for the request sent with {@code subject} (its tracking event). */
    String outcome(String subject) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> {
            JsonPath found = server.webAdmin().queryParam("subject", subject).get("/portcullis/tracking")
                .then().statusCode(200).extract().jsonPath();
            if (found.getInt("total") == 0) {
                return null;
            }
            JsonPath detail = server.webAdmin().get("/portcullis/tracking/" + found.getString("messages[0].trackingId"))
                .then().statusCode(200).extract().jsonPath();
            List<Map<String, Object>> events = detail.getList("events");
            return events.stream().filter(event -> "REPORT_REQUESTED".equals(event.get("type")))
                .map(event -> String.valueOf(((Map<?, ?>) event.get("info")).get("Outcome"))).findFirst().orElse(null);
        }, value -> value != null);
    }

    long reports(String user) throws Exception {
        try (TestIMAPClient imap = new TestIMAPClient()) {
            imap.connect("127.0.0.1", server.imapPort()).login(user + "@acme.test", user + "-Pass-1").select(TestIMAPClient.INBOX);
            return imap.getMessageCount(TestIMAPClient.INBOX);
        }
    }

    void awaitReports(String user, long count) {
        await().atMost(Duration.ofSeconds(30)).until(() -> reports(user) == count);
    }

    @Test
    void perAddressLimitShouldStillRefuseARequestAfterARestart() throws Exception {
        request("bob", "bob request 1");
        request("bob", "bob request 2");
        assertThat(outcome("bob request 1")).isEqualTo("NOTHING_HELD_SENT");
        assertThat(outcome("bob request 2")).isEqualTo("NOTHING_HELD_SENT");
        awaitReports("bob", 2);

        server.stop();
        server.start();
        request("bob", "bob request 3");

        assertThat(outcome("bob request 3")).isEqualTo("RATE_LIMITED");
        Thread.sleep(2000);
        assertThat(reports("bob")).isEqualTo(2);
    }

    @Test
    void gatewayWideCapShouldRefuseARequestOfAnotherAddressWhenReached() throws Exception {
        request("bob", "bob request 1");
        request("bob", "bob request 2");
        request("carol", "carol request 1");
        assertThat(outcome("carol request 1")).isEqualTo("NOTHING_HELD_SENT");
        awaitReports("bob", 2);
        awaitReports("carol", 1);

        request("dave", "dave request 1");

        assertThat(outcome("dave request 1")).isEqualTo("RATE_LIMITED");
        Thread.sleep(2000);
        assertThat(reports("dave")).isZero();
    }
}
