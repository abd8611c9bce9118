package io.portcullis.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;

import org.apache.james.util.Port;
import org.apache.james.utils.SMTPMessageSender;
import org.apache.james.utils.TestIMAPClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.portcullis.dns.TestDnsServer;
import io.portcullis.server.PortcullisTestServer;

/**
 * The filter processor of the bundled conf/mailetcontainer.xml end to end, with the checks' DNS answered by a
 * real DNS server on loopback: clean mail is delivered untagged, suspect mail is tagged and delivered with
 * its reasons, junk (GTUBE) and threats (EICAR) are held, never delivered.
 */
class ScoringFlowTest {
    private static final String BOB = "bob@acme.test";
    private static final String PASSWORD = "bob-Pass-1";
    private static final String EICAR = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";
    private static final String GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";

    @TempDir
    static Path dir;
    static TestDnsServer dns;
    static PortcullisTestServer server;

    @BeforeAll
    static void start() throws Exception {
        dns = TestDnsServer.start()
            .a("remote.example", "192.0.2.10")
            .mx("remote.example", 10, "mx.remote.example")
            .a("mx.remote.example", "192.0.2.10");
        server = PortcullisTestServer.prepareWithChecksDns(dir, dns.port(), PortcullisTestServer.NO_RELAY_NETWORK)
            .start();
        server.addDomain("acme.test");
        server.addUser(BOB, PASSWORD);
    }

    @AfterAll
    static void stop() {
        server.stop();
        dns.close();
    }

    private static void send(String from, String message) throws Exception {
        try (SMTPMessageSender smtp = new SMTPMessageSender("remote.example")) {
            smtp.connect("127.0.0.1", Port.of(server.smtpPort())).sendMessageWithHeaders("alice@remote.example", BOB, message);
        }
    }

    private static String deliveredMessage(int count) throws Exception {
        try (TestIMAPClient imap = new TestIMAPClient()) {
            imap.connect("127.0.0.1", server.imapPort()).login(BOB, PASSWORD).select(TestIMAPClient.INBOX)
                .awaitMessageCount(await().atMost(Duration.ofSeconds(30)), count);
            return imap.sendCommand("FETCH " + count + " (BODY.PEEK[])");
        }
    }

    private static long heldIn(String area) {
        return server.webAdmin().queryParam("area", area).get("/portcullis/quarantine")
            .then().statusCode(200).extract().jsonPath().getLong("total");
    }

    @Test
    void filterShouldDeliverCleanTagSuspectAndHoldJunkAndThreats() throws Exception {
        send("alice@remote.example", "From: alice@remote.example\r\nTo: " + BOB + "\r\nSubject: lunch\r\n\r\nSee you at noon.\r\n");
        String clean = deliveredMessage(1);
        assertThat(clean).contains("Subject: lunch").doesNotContain("[SUSPECT]").doesNotContain("X-Portcullis-Score");

        send("alice@remote.example", "From: ceo@acme.test\r\nTo: " + BOB + "\r\nSubject: wire transfer\r\n\r\nPlease pay today.\r\n");
        String suspect = deliveredMessage(2);
        assertThat(suspect).contains("Subject: [SUSPECT] wire transfer").contains("X-Portcullis-Score: 60")
            .contains("X-Portcullis-Reasons").contains("acme.test");

        send("alice@remote.example", "From: alice@remote.example\r\nTo: " + BOB + "\r\nSubject: offer\r\n\r\n" + GTUBE + "\r\n");
        send("alice@remote.example", "From: alice@remote.example\r\nTo: " + BOB + "\r\nSubject: invoice\r\n"
            + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
            + "--b1\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
            + "--b1\r\nContent-Type: application/octet-stream; name=\"eicar.com\"\r\nContent-Disposition: attachment; filename=\"eicar.com\"\r\n\r\n"
            + EICAR + "\r\n--b1--\r\n");

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(heldIn("spam")).isEqualTo(1);
            assertThat(heldIn("threat")).isEqualTo(1);
        });
        try (TestIMAPClient imap = new TestIMAPClient()) {
            imap.connect("127.0.0.1", server.imapPort()).login(BOB, PASSWORD).select(TestIMAPClient.INBOX);
            assertThat(imap.getMessageCount(TestIMAPClient.INBOX)).isEqualTo(2);
        }
        assertThat(dns.queries()).anyMatch(query -> query.contains("bl.test"));
    }
}
