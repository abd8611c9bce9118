package io.portcullis.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.commons.net.smtp.SMTPClient;
import org.apache.commons.net.smtp.SMTPReply;
import org.apache.james.utils.TestIMAPClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.portcullis.delivery.ScriptedSmtpServer.Reply;
import io.portcullis.dns.TestDnsServer;
import io.portcullis.tracking.EventType;
import io.restassured.path.json.JsonPath;

/**
 * Delivery end to end against a real downstream server (a {@link ScriptedSmtpServer} on loopback): spam-filter (forward),
 * standalone (local) and hybrid domains, deferral with the reply in the Pending log then delivery on retry,
 * permanent failure with a DSN and its events, pending timeout with a moved clock, recipient verification.
 * Loopback is outside the relay networks here, so test mail is inbound, as from the Internet.
 */
class DeliveryFlowTest {
    private static final String PASSWORD = "s3cret-Pass";
    private static final String BOB = "bob@local.test";
    private static final String CAROL = "carol@hybrid.test";
    /** The replies the downstream gives when told to fail a command temporarily or for good. */
    private static final Reply TEMPORARY_FAILURE = Reply.reply(450, "4.3.0 Error: command failed");
    private static final Reply PERMANENT_FAILURE = Reply.reply(500, "5.3.0 Error: command failed");

    @TempDir
    static Path dir;
    static DeliveryTestServer server;
    static ScriptedSmtpServer downstream;
    static int downstreamPort;
    static TestDnsServer checksDns;
    static int closedPort;

    @BeforeAll
    static void start() throws Exception {
        downstreamPort = freePort();
        closedPort = freePort();
        downstream = new ScriptedSmtpServer(downstreamPort);
        // The allow entries below count for senders SPF authenticates: their domains allow loopback.
        checksDns = TestDnsServer.start()
            .txt("remote.example", "v=spf1 ip4:127.0.0.1 -all")
            .txt("local.test", "v=spf1 ip4:127.0.0.1 -all")
            .txt("portcullis.test", "v=spf1 ip4:127.0.0.1 -all");
        server = new DeliveryTestServer(dir.resolve("server"), Map.of(
                "PORTCULLIS_CHECKS_DNS", "127.0.0.1:" + checksDns.port(),
                "PORTCULLIS_RELAY_NETWORKS", "192.0.2.0/24",
                "PORTCULLIS_DOWNSTREAM", "127.0.0.1:" + downstreamPort,
                "PORTCULLIS_DELIVERY_MODE", "forward",
                "PORTCULLIS_SMARTHOST", "127.0.0.1:" + downstreamPort,
                "PORTCULLIS_RETRY_DELAYS", "1 hour",
                "PORTCULLIS_PENDING_CHECK_INTERVAL", "1h"),
            String.join("\n",
                "domain.local.test.mode=local",
                "domain.hybrid.test.mode=hybrid",
                "domain.verify.test.verifyRecipients=true"))
            // Delivery is under test, not scoring: the test senders and the gateway's own DSNs are allow-listed.
            .appendConf("sender-lists.conf", "*  allow  @local.test\n*  allow  @remote.example\n*  allow  @portcullis.test")
            .start();
        server.ports.addDomain("acme.test");
        server.ports.addDomain("local.test");
        server.ports.addDomain("hybrid.test");
        server.ports.addDomain("verify.test");
        server.ports.addUser(BOB, PASSWORD);
        server.ports.addUser(CAROL, PASSWORD);
    }

    @AfterAll
    static void stop() throws Exception {
        downstream.close();
        server.close();
        checksDns.close();
    }

    @AfterEach
    void stopDownstream() throws Exception {
        downstream.stop();
    }

    @Test
    void forwardModeShouldDeliverToTheDownstreamServerAndRecordTheAttemptAndEvents() throws Exception {
        downstream.start();
        String subject = "forward " + UUID.randomUUID();
        assertThat(send(BOB, List.of("anyone@acme.test"), subject)).containsOnly(250);

        await().atMost(Duration.ofSeconds(30)).until(() -> downstream.messages().stream().anyMatch(m -> m.contains(subject)));
        JsonPath attempt = awaitAttempt("anyone@acme.test", "delivered");
        assertThat(attempt.getString("host")).isEqualTo("127.0.0.1");
        assertThat(attempt.getString("ip")).isEqualTo("127.0.0.1");
        assertThat(attempt.getString("tls")).isEqualTo("no");
        assertThat(attempt.getInt("replyCode")).isEqualTo(250);
        String trackingId = attempt.getString("trackingId");
        await().atMost(Duration.ofSeconds(10)).until(() -> server.tracker.typesOf(trackingId).contains(EventType.DELIVERED));
        assertThat(server.tracker.events()).anySatisfy(event -> {
            assertThat(event.type()).isEqualTo(EventType.DELIVERED);
            assertThat(event.info()).containsEntry("Recipients", "anyone@acme.test").containsKey("Remote reply").containsEntry("TLS", "no");
        });
    }

    @Test
    void hybridModeShouldKeepALocalUserLocallyAndForwardAnUnknownOne() throws Exception {
        downstream.start();
        String subject = "hybrid " + UUID.randomUUID();
        assertThat(send("friend@remote.example", List.of(CAROL, "dave@hybrid.test"), subject)).containsOnly(250);

        await().atMost(Duration.ofSeconds(30)).until(() -> downstream.messages().stream().anyMatch(m -> m.contains(subject)));
        String forwarded = downstream.messages().stream().filter(m -> m.contains(subject)).findFirst().orElseThrow();
        assertThat(forwarded).contains("dave@hybrid.test").doesNotContain("RCPT TO:<" + CAROL);
        try (TestIMAPClient imap = new TestIMAPClient()) {
            imap.connect("127.0.0.1", server.ports.imapPort()).login(CAROL, PASSWORD).select(TestIMAPClient.INBOX)
                .awaitMessage(await().atMost(Duration.ofSeconds(30)));
            assertThat(imap.readFirstMessage()).contains(subject);
        }
    }

    @Test
    void localModeShouldRefuseAnUnknownUserAndForwardModeShouldAcceptAnyone() throws Exception {
        assertThat(send("friend@remote.example", List.of("nobody@local.test"), "x")).containsOnly(550);
        assertThat(rcpt("friend@remote.example", "whoever@acme.test")).isEqualTo(250);
        assertThat(rcpt("friend@remote.example", "victim@elsewhere.example")).isGreaterThanOrEqualTo(500);
    }

    @Test
    void downstreamAnswering4xxShouldLeaveTheMailPendingWithTheReplyThenDeliverItOnRetry() throws Exception {
        downstream.rcpt(TEMPORARY_FAILURE).start();
        String subject = "deferred " + UUID.randomUUID();
        assertThat(send(BOB, List.of("later@acme.test"), subject)).containsOnly(250);

        JsonPath pending = awaitPending(subject, true);
        assertThat(pending.getString("lastError")).startsWith("450 4.3.0");
        assertThat(pending.getString("lastErrorExplanation")).contains("Temporary failure");
        assertThat(pending.getInt("attempts")).isEqualTo(1);
        assertThat(pending.getString("queue")).isEqualTo("outgoing");
        assertThat(pending.getString("sender")).isEqualTo(BOB);
        assertThat(pending.getString("nextAttempt")).isNotNull();
        JsonPath deferred = awaitAttempt("later@acme.test", "deferred");
        assertThat(deferred.getString("enhancedCode")).isEqualTo("4.3.0");
        String trackingId = deferred.getString("trackingId");
        assertThat(server.tracker.events()).anySatisfy(event -> {
            assertThat(event.trackingId()).isEqualTo(trackingId);
            assertThat(event.type()).isEqualTo(EventType.DELIVERY_FAILED);
            assertThat(event.info()).containsEntry("Retry", "true");
        });

        downstream.stop();
        downstream.start();
        server.ports.webAdmin().post("/portcullis/logs/pending/" + pending.getString("mailName") + "?action=retry").then().statusCode(200);

        await().atMost(Duration.ofSeconds(30)).until(() -> downstream.messages().stream().anyMatch(m -> m.contains(subject)));
        awaitAttempt("later@acme.test", "delivered");
        await().atMost(Duration.ofSeconds(10)).until(() -> findPending(subject) == null);
        assertThat(server.ports.webAdmin().get("/portcullis/logs/delivery/" + trackingId).then().statusCode(200).extract()
            .jsonPath().getList("attempts.outcome")).containsExactly("deferred", "delivered");
    }

    @Test
    void downstreamAnswering5xxShouldBounceWithTheReasonAndRecordTheEvents() throws Exception {
        downstream.rcpt(PERMANENT_FAILURE).start();
        String subject = "refused " + UUID.randomUUID();
        assertThat(send(BOB, List.of("gone@acme.test"), subject)).containsOnly(250);

        JsonPath failed = awaitAttempt("gone@acme.test", "failed");
        assertThat(failed.getInt("replyCode")).isEqualTo(500);
        assertThat(failed.getString("explanation")).isNotBlank();
        String trackingId = failed.getString("trackingId");
        await().atMost(Duration.ofSeconds(10)).until(() -> server.tracker.typesOf(trackingId).contains(EventType.NOTIFY_SENDER));
        assertThat(server.tracker.typesOf(trackingId)).contains(EventType.DELIVERY_FAILED, EventType.FINISHED_DELIVERY_ATTEMPTS,
            EventType.NON_DELIVERED, EventType.NOTIFY_SENDER);
        assertThat(awaitMessageFor(BOB, subject)).contains("500 5.3.0");
    }

    @Test
    void mailPendingLongerThanTheInboundTimeoutShouldBeBouncedWithTheLastError() throws Exception {
        downstream.rcpt(TEMPORARY_FAILURE).start();
        String subject = "timeout " + UUID.randomUUID();
        assertThat(send(BOB, List.of("slow@acme.test"), subject)).containsOnly(250);
        JsonPath pending = awaitPending(subject, true);
        assertThat(pending.getString("direction")).isEqualTo("inbound");

        server.clock.advance(Duration.ofHours(25));
        assertThat(server.probe().timeouts.runOnce()).doesNotContain(pending.getString("mailName"));
        server.clock.advance(Duration.ofDays(7));
        assertThat(server.probe().timeouts.runOnce()).contains(pending.getString("mailName"));

        assertThat(awaitMessageFor(BOB, subject)).contains("Pending timeout").contains("450 4.3.0");
        await().atMost(Duration.ofSeconds(10)).until(() -> findPending(subject) == null);
    }

    @Test
    void bounceNowShouldReturnAPendingMailToItsSenderWithTheLastError() throws Exception {
        downstream.rcpt(TEMPORARY_FAILURE).start();
        String subject = "bounce-now " + UUID.randomUUID();
        assertThat(send(BOB, List.of("wait@acme.test"), subject)).containsOnly(250);
        JsonPath pending = awaitPending(subject, true);

        server.ports.webAdmin().post("/portcullis/logs/pending/" + pending.getString("mailName") + "?action=bounce").then().statusCode(200);

        assertThat(awaitMessageFor(BOB, subject)).contains("Returned by the administrator").contains("450 4.3.0");
        await().atMost(Duration.ofSeconds(10)).until(() -> findPending(subject) == null);
    }

    @Test
    void deleteShouldRemoveAPendingMailAndTrackIt() throws Exception {
        downstream.rcpt(TEMPORARY_FAILURE).start();
        String subject = "delete " + UUID.randomUUID();
        assertThat(send(BOB, List.of("drop@acme.test"), subject)).containsOnly(250);
        JsonPath pending = awaitPending(subject, true);
        String trackingId = awaitAttempt("drop@acme.test", "deferred").getString("trackingId");

        server.ports.webAdmin().delete("/portcullis/logs/pending/" + pending.getString("mailName")).then().statusCode(204);

        assertThat(findPending(subject)).isNull();
        assertThat(server.tracker.typesOf(trackingId)).contains(EventType.DISCARDED);
        server.ports.webAdmin().delete("/portcullis/logs/pending/" + pending.getString("mailName")).then().statusCode(404);
    }

    @Test
    void pendingActionsShouldAnswer400ForABadActionAnd404ForAnUnknownMail() {
        server.ports.webAdmin().post("/portcullis/logs/pending/no-such-mail?action=retry").then().statusCode(404)
            .body("type", org.hamcrest.Matchers.equalTo("notFound"));
        server.ports.webAdmin().post("/portcullis/logs/pending/no-such-mail?action=explode").then().statusCode(400)
            .body("message", org.hamcrest.Matchers.containsString("retry or bounce"));
        server.ports.webAdmin().get("/portcullis/logs/delivery?outcome=lost").then().statusCode(400);
    }

    @Test
    void authenticatedUserMailToTheInternetShouldGoThroughTheSmarthost() throws Exception {
        downstream.start();
        String subject = "outbound " + UUID.randomUUID();
        org.apache.commons.net.smtp.AuthenticatingSMTPClient client = new org.apache.commons.net.smtp.AuthenticatingSMTPClient();
        client.connect("127.0.0.1", server.ports.submissionPort());
        try {
            client.ehlo("client.example");
            assertThat(client.auth(org.apache.commons.net.smtp.AuthenticatingSMTPClient.AUTH_METHOD.PLAIN, BOB, PASSWORD)).isTrue();
            assertThat(client.mail("<" + BOB + ">")).isEqualTo(250);
            assertThat(client.rcpt("<friend@elsewhere.example>")).isEqualTo(250);
            assertThat(client.sendShortMessageData("From: " + BOB + "\r\nSubject: " + subject + "\r\n\r\nHi.\r\n")).isTrue();
        } finally {
            client.disconnect();
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> downstream.messages().stream().anyMatch(m -> m.contains(subject)));
        assertThat(awaitAttempt("friend@elsewhere.example", "delivered").getString("host")).isEqualTo("127.0.0.1");
    }

    @Test
    void recipientVerificationShouldRefuseAnUnknownRecipientAndTrackTheRejection() throws Exception {
        downstream.rcpt(PERMANENT_FAILURE).start();
        assertThat(rcpt("friend@remote.example", "unknown@verify.test")).isEqualTo(550);
        assertThat(server.tracker.events()).anySatisfy(event -> {
            assertThat(event.type()).isEqualTo(EventType.REJECTED);
            assertThat(event.info()).containsEntry("Reject Reason", "spam:recipientverification").containsEntry("Recipients", "unknown@verify.test");
        });
        downstream.stop();
        downstream.start();
        assertThat(rcpt("friend@remote.example", "known@verify.test")).isEqualTo(250);
    }

    @Test
    void recipientVerificationShouldAskToRetryWhenTheDownstreamIsUnreachable() throws Exception {
        assertThat(rcpt("friend@remote.example", "someone@verify.test")).isEqualTo(451);
    }

    private static JsonPath awaitAttempt(String recipient, String outcome) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> {
            JsonPath json = server.ports.webAdmin().get("/portcullis/logs/delivery?recipient=" + recipient + "&outcome=" + outcome)
                .then().statusCode(200).extract().jsonPath();
            return json.getInt("count") > 0 ? new JsonPath(json.prettify()).setRootPath("attempts[0]") : null;
        }, result -> result != null);
    }

    private static JsonPath findPending(String subject) {
        JsonPath json = server.ports.webAdmin().get("/portcullis/logs/pending").then().statusCode(200).extract().jsonPath();
        List<Map<String, Object>> messages = json.getList("messages");
        for (int i = 0; i < messages.size(); i++) {
            if (subject.equals(messages.get(i).get("subject"))) {
                return new JsonPath(json.prettify()).setRootPath("messages[" + i + "]");
            }
        }
        return null;
    }

    private static JsonPath awaitPending(String subject, boolean withError) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> findPending(subject),
            found -> found != null && (!withError || found.getString("lastError") != null));
    }

    private static String awaitMessageFor(String user, String text) throws Exception {
        try (TestIMAPClient imap = new TestIMAPClient()) {
            imap.connect("127.0.0.1", server.ports.imapPort()).login(user, PASSWORD).select(TestIMAPClient.INBOX);
            return await().atMost(Duration.ofSeconds(30)).until(() -> {
                String all = imap.sendCommand("FETCH 1:* (BODY.PEEK[])");
                return all.contains(text) ? all : null;
            }, message -> message != null);
        }
    }

    /** Sends one message; returns the RCPT replies (the message is sent when all were accepted). */
    private static List<Integer> send(String from, List<String> to, String subject) throws IOException {
        SMTPClient client = new SMTPClient();
        client.connect("127.0.0.1", server.ports.smtpPort());
        try {
            client.helo("client.example");
            assertThat(client.mail("<" + from + ">")).isEqualTo(SMTPReply.ACTION_OK);
            List<Integer> replies = new java.util.ArrayList<>();
            for (String recipient : to) {
                replies.add(client.rcpt("<" + recipient + ">"));
            }
            if (replies.stream().allMatch(reply -> reply == 250)) {
                assertThat(client.sendShortMessageData("From: " + from + "\r\nTo: " + String.join(", ", to) + "\r\nSubject: " + subject
                    + "\r\n\r\nHello.\r\n")).isTrue();
            }
            return replies;
        } finally {
            client.disconnect();
        }
    }

    private static int rcpt(String from, String to) throws IOException {
        SMTPClient client = new SMTPClient();
        client.connect("127.0.0.1", server.ports.smtpPort());
        try {
            client.helo("client.example");
            client.mail("<" + from + ">");
            return client.rcpt("<" + to + ">");
        } finally {
            client.disconnect();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
