package io.portcullis.quarantine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

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
 * Quarantine on the bundled server: junk is held, viewed, released once (read over IMAP) with its event
 * trail, a second release delivers nothing more, delete works, and an encrypted (S/MIME) message is held as
 * stalled with a notice to the administrator.
 */
class QuarantineFlowTest {
    private static final String BOB = "bob@acme.test";
    private static final String POSTMASTER = "postmaster@portcullis.test";
    private static final String GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";

    @TempDir
    static Path dir;
    static TestDnsServer dns;
    static PortcullisTestServer server;

    @BeforeAll
    static void start() throws Exception {
        dns = TestDnsServer.start().a("remote.example", "192.0.2.10");
        server = PortcullisTestServer.prepareWithChecksDns(dir, dns.port(), PortcullisTestServer.NO_RELAY_NETWORK)
            .start();
        server.addDomain("acme.test");
        server.addUser(BOB, "bob-Pass-1");
        server.addUser(POSTMASTER, "pm-Pass-1");
    }

    @AfterAll
    static void stop() {
        server.stop();
        dns.close();
    }

    private static void send(String subject, String headersAndBody) throws Exception {
        try (SMTPMessageSender smtp = new SMTPMessageSender("remote.example")) {
            smtp.connect("127.0.0.1", Port.of(server.smtpPort())).sendMessageWithHeaders("alice@remote.example", BOB,
                "From: alice@remote.example\r\nTo: " + BOB + "\r\nSubject: " + subject + "\r\n" + headersAndBody);
        }
    }

    private static JsonPath list(String area, String subject) {
        return server.webAdmin().queryParam("area", area).queryParam("recipient", BOB).get("/portcullis/quarantine")
            .then().statusCode(200).extract().jsonPath().setRootPath("items.find { it.subject == '" + subject + "' }");
    }

    private static String heldId(String area, String subject) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> list(area, subject).getString("id"), id -> id != null);
    }

    private static long inbox(String user, String password) throws Exception {
        try (TestIMAPClient imap = new TestIMAPClient()) {
            imap.connect("127.0.0.1", server.imapPort()).login(user, password).select(TestIMAPClient.INBOX);
            return imap.getMessageCount(TestIMAPClient.INBOX);
        }
    }

    @Test
    void heldJunkShouldBeReleasedOnceWithItsEventTrail() throws Exception {
        send("cheap watches", "\r\n" + GTUBE + "\r\n");
        String id = heldId("spam", "cheap watches");
        JsonPath held = server.webAdmin().get("/portcullis/quarantine/" + id).then().statusCode(200).extract().jsonPath();
        assertThat(held.getString("area")).isEqualTo("spam");
        assertThat(held.getList("reasons").toString()).containsIgnoringCase("gtube");
        assertThat(server.webAdmin().get("/portcullis/quarantine/" + id + "/raw").then().statusCode(200).extract().asString()).contains(GTUBE);
        long before = inbox(BOB, "bob-Pass-1");

        server.webAdmin().queryParam("action", "release").post("/portcullis/quarantine/" + id).then().statusCode(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> inbox(BOB, "bob-Pass-1") == before + 1);

        JsonPath again = server.webAdmin().queryParam("action", "release").post("/portcullis/quarantine/" + id)
            .then().extract().jsonPath();
        assertThat(again.getString("outcome")).isNotEqualTo("done");
        Thread.sleep(3000);
        assertThat(inbox(BOB, "bob-Pass-1")).isEqualTo(before + 1);

        String trackingId = held.getString("trackingId");
        List<String> events = server.webAdmin().get("/portcullis/tracking/" + trackingId).then().statusCode(200)
            .extract().jsonPath().getList("events.type");
        assertThat(events).containsSubsequence("RECEIVED_BY_MTA", "HELD", "EXPIRY_SET", "VIEWED_RAW", "RELEASED");
        assertThat(events).contains("DELIVERED_LOCALLY");
    }

    @Test
    void deletedMessageShouldNotBeReleasable() throws Exception {
        send("more junk", "\r\n" + GTUBE + "\r\n");
        String id = heldId("spam", "more junk");

        server.webAdmin().delete("/portcullis/quarantine/" + id).then().statusCode(200);

        server.webAdmin().queryParam("action", "release").post("/portcullis/quarantine/" + id).then().statusCode(409);
        server.webAdmin().get("/portcullis/quarantine/does-not-exist").then().statusCode(404);
        server.webAdmin().queryParam("action", "explode").post("/portcullis/quarantine/" + id).then().statusCode(400);
    }

    @Test
    void encryptedMailShouldBeStalledAndTheAdministratorTold() throws Exception {
        send("secret plans", "MIME-Version: 1.0\r\nContent-Type: application/pkcs7-mime; smime-type=enveloped-data; name=\"smime.p7m\"\r\n"
            + "Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"smime.p7m\"\r\n\r\nMIAGCSqGSIb3DQEHA6CAMIACAQAxggFOMIIBSgIBADAyMCUxCzAJBgNVBAYTAkZS\r\n");
        String id = heldId("stalled", "secret plans");
        JsonPath stalled = server.webAdmin().get("/portcullis/quarantine/" + id).then().statusCode(200).extract().jsonPath();
        assertThat(stalled.getString("unscannableReason")).containsIgnoringCase("s/mime");
        assertThat(stalled.getString("messageSecurity")).isEqualTo("smime");

        await().atMost(Duration.ofSeconds(30)).until(() -> inbox(POSTMASTER, "pm-Pass-1") >= 1);
    }
}
