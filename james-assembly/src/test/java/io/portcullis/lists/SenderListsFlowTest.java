package io.portcullis.lists;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
 * Allow lists of the bundled configuration end to end over SMTP, the checks' DNS answered by a real DNS server on
 * loopback: an allow entry counts only for a sender SPF or DKIM authenticates, and allowed mail is still
 * checked for its content.
 */
class SenderListsFlowTest {
    private static final String BOB = "bob@acme.test";
    private static final String PASSWORD = "bob-Pass-1";
    private static final String GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";

    @TempDir
    static Path dir;
    static TestDnsServer dns;
    static PortcullisTestServer server;

    @BeforeAll
    static void start() throws Exception {
        dns = TestDnsServer.start()
            .txt("partner.example", "v=spf1 ip4:127.0.0.1 -all")
            .mx("partner.example", 10, "mx.partner.example")
            .a("mx.partner.example", "127.0.0.1")
            .a("evil.example", "192.0.2.66")
            // the sending IP (loopback) is on the test DNS blocklist: +60 for any mail not allowed
            .a("1.0.0.127.bl.test", "127.0.0.2");
        server = PortcullisTestServer.prepareWithChecksDns(dir, dns.port(), PortcullisTestServer.NO_RELAY_NETWORK);
        Files.writeString(server.workingDirectory().resolve("conf/sender-lists.conf"), "\n*  allow  @partner.example\n",
            StandardOpenOption.APPEND);
        server.start();
        server.addDomain("acme.test");
        server.addUser(BOB, PASSWORD);
    }

    @AfterAll
    static void stop() {
        server.stop();
        dns.close();
    }

    private static void send(String envelopeSender, String message) throws Exception {
        try (SMTPMessageSender smtp = new SMTPMessageSender("mx.partner.example")) {
            smtp.connect("127.0.0.1", Port.of(server.smtpPort())).sendMessageWithHeaders(envelopeSender, BOB, message);
        }
    }

    private static long heldInSpam() {
        return server.webAdmin().queryParam("area", "spam").get("/portcullis/quarantine")
            .then().statusCode(200).extract().jsonPath().getLong("total");
    }

    @Test
    void allowListsShouldHoldJunkWhenOnlyOneOfSeveralFromAddressesIsAllowedAndDeliverAnAuthenticatedPartnerDespiteAMildScore() throws Exception {
        send("a@evil.example", "From: a@evil.example, boss@partner.example\r\nTo: " + BOB + "\r\nSubject: offer\r\n\r\n" + GTUBE + "\r\n");

        await().atMost(Duration.ofSeconds(30)).until(() -> heldInSpam() == 1);

        send("boss@partner.example", "From: boss@partner.example\r\nTo: " + BOB + "\r\nSubject: supplier news\r\n\r\n"
            + "Our online pharmacy partner now takes western union.\r\n");
        String delivered;
        try (TestIMAPClient imap = new TestIMAPClient()) {
            imap.connect("127.0.0.1", server.imapPort()).login(BOB, PASSWORD).select(TestIMAPClient.INBOX)
                .awaitMessageCount(await().atMost(Duration.ofSeconds(30)), 1);
            delivered = imap.sendCommand("FETCH 1 (BODY.PEEK[])");
            assertThat(imap.getMessageCount(TestIMAPClient.INBOX)).isEqualTo(1);
        }
        assertThat(delivered).contains("Subject: [SUSPECT] supplier news").contains("X-Portcullis-Score: 60")
            .contains("online pharmacy").contains("boss@partner.example is on the global allow").doesNotContain("bl.test");
        assertThat(heldInSpam()).isEqualTo(1);
    }
}
