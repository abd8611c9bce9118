package io.portcullis.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.StringReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.apache.commons.net.smtp.SMTPClient;
import org.apache.james.util.Port;
import org.apache.james.utils.SMTPMessageSender;
import org.apache.james.utils.TestIMAPClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.portcullis.dns.TestDnsServer;
import io.portcullis.server.PortcullisTestServer;
import io.restassured.path.json.JsonPath;

/**
 * Message tracking on the bundled server: a delivered message, a relay-denied attempt and an unknown-recipient
 * attempt each appear with their events, status and reject reason; every search criterion finds them; the CSV
 * export parses back; bad parameters get a 400 naming them.
 */
class TrackingFlowTest {
    private static final String BOB = "bob@acme.test";

    @TempDir
    static Path dir;
    static TestDnsServer dns;
    static PortcullisTestServer server;

    @BeforeAll
    static void start() throws Exception {
        dns = TestDnsServer.start().a("remote.example", "192.0.2.10").a("evil.example", "192.0.2.66").a("other.example", "192.0.2.77");
        server = PortcullisTestServer.prepareWithChecksDns(dir, dns.port(), PortcullisTestServer.NO_RELAY_NETWORK)
            .start();
        server.addDomain("acme.test");
        server.addUser(BOB, "bob-Pass-1");

        try (SMTPMessageSender smtp = new SMTPMessageSender("remote.example")) {
            smtp.connect("127.0.0.1", Port.of(server.smtpPort())).sendMessageWithHeaders("alice@remote.example", BOB,
                "From: alice@remote.example\r\nTo: " + BOB + "\r\nSubject: tracked delivery\r\nMessage-ID: <tracked-1@remote.example>\r\n"
                    + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nfigures\r\n"
                    + "--b\r\nContent-Type: application/pdf; name=\"report.pdf\"\r\nContent-Disposition: attachment; filename=\"report.pdf\"\r\n\r\n%PDF-1.4 x\r\n--b--\r\n");
        }
        try (TestIMAPClient imap = new TestIMAPClient()) {
            imap.connect("127.0.0.1", server.imapPort()).login(BOB, "bob-Pass-1").select(TestIMAPClient.INBOX)
                .awaitMessageCount(await().atMost(Duration.ofSeconds(30)), 1);
        }
        assertThat(rcpt("spammer@evil.example", "victim@elsewhere.example")).isGreaterThanOrEqualTo(500);
        assertThat(rcpt("friend@other.example", "nobody@acme.test")).isEqualTo(550);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
            assertThat(search("period", "today").getInt("total")).isEqualTo(3));
    }

    @AfterAll
    static void stop() {
        server.stop();
        dns.close();
    }

    private static int rcpt(String from, String to) throws Exception {
        SMTPClient client = new SMTPClient();
        client.connect("127.0.0.1", server.smtpPort());
        try {
            client.helo("client.example");
            client.mail("<" + from + ">");
            return client.rcpt("<" + to + ">");
        } finally {
            client.disconnect();
        }
    }

    private static JsonPath search(String... criteria) {
        var request = server.webAdmin();
        for (int i = 0; i < criteria.length; i += 2) {
            request = request.queryParam(criteria[i], criteria[i + 1]);
        }
        return request.get("/portcullis/tracking").then().statusCode(200).extract().jsonPath();
    }

    @Test
    void deliveredMessageShouldHaveItsEventsAndInformation() {
        JsonPath found = search("recipient", BOB);
        assertThat(found.getInt("total")).isEqualTo(1);
        assertThat(found.getString("messages[0].status")).isEqualTo("delivered");
        String id = found.getString("messages[0].trackingId");

        JsonPath detail = server.webAdmin().get("/portcullis/tracking/" + id).then().statusCode(200).extract().jsonPath();
        assertThat(detail.getString("message.subject")).isEqualTo("tracked delivery");
        assertThat(detail.getString("message.messageId")).contains("tracked-1@remote.example");
        List<String> events = detail.getList("events.type");
        assertThat(events).containsSubsequence("RECEIVED_BY_MTA", "DELIVERED_LOCALLY");
    }

    @Test
    void relayDeniedAttemptShouldBeRejectedWithItsReason() {
        JsonPath found = search("rejectReason", "spam:relayingdenied");
        assertThat(found.getInt("total")).isEqualTo(1);
        assertThat(found.getString("messages[0].status")).isEqualTo("rejected");
        assertThat(found.getString("messages[0].sender")).isEqualTo("spammer@evil.example");
        assertThat(found.getList("messages[0].recipients").toString()).contains("victim@elsewhere.example");
    }

    @Test
    void unknownRecipientAttemptShouldBeRejectedWithRecipientVerification() {
        JsonPath found = search("rejectReason", "spam:recipientverification");
        assertThat(found.getInt("total")).isEqualTo(1);
        assertThat(found.getString("messages[0].sender")).isEqualTo("friend@other.example");
    }

    @Test
    void everyCriterionShouldFindTheRightMessages() {
        assertThat(search("sender", "alice@remote.example").getInt("total")).isEqualTo(1);
        assertThat(search("sender", "@evil.example").getInt("total")).isEqualTo(1);
        assertThat(search("recipient", "@acme.test").getInt("total")).isEqualTo(2);
        assertThat(search("subject", "TRACKED").getInt("total")).isEqualTo(1);
        assertThat(search("attachment", "report.pdf").getInt("total")).isEqualTo(1);
        assertThat(search("action", "rejected").getInt("total")).isEqualTo(2);
        assertThat(search("action", "accepted").getInt("total")).isEqualTo(1);
        assertThat(search("status", "delivered").getInt("total")).isEqualTo(1);
        assertThat(search("transportSecurity", "none").getInt("total")).isEqualTo(3);
        assertThat(search("period", "yesterday").getInt("total")).isZero();
        assertThat(search("sender", "<>").getInt("total")).isZero();
    }

    @Test
    void csvExportShouldParseBackWithEveryMessage() throws Exception {
        String csv = server.webAdmin().queryParam("period", "today").get("/portcullis/tracking.csv")
            .then().statusCode(200).extract().asString();

        List<CSVRecord> records = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).build()
            .parse(new StringReader(csv)).getRecords();
        assertThat(records).extracting(r -> r.get("Sender"))
            .contains("alice@remote.example", "spammer@evil.example", "friend@other.example");
        assertThat(records).extracting(r -> r.get("Reject Reason")).contains("spam:relayingdenied", "spam:recipientverification");
    }

    @Test
    void badParametersShouldGet400AndUnknownIds404() {
        server.webAdmin().queryParam("pageSize", "7").get("/portcullis/tracking").then().statusCode(400);
        server.webAdmin().queryParam("colour", "red").get("/portcullis/tracking").then().statusCode(400);
        server.webAdmin().queryParam("sender", "x' OR '1'='1").get("/portcullis/tracking").then().statusCode(400);
        assertThat(search("subject", "x' OR '1'='1").getInt("total")).isZero();
        server.webAdmin().get("/portcullis/tracking/no-such-id").then().statusCode(404);
    }
}
