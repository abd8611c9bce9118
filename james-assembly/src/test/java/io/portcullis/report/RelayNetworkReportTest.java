package io.portcullis.report;

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

/** A report request from a relay network (loopback is one here), unauthenticated: the From address gets its report. */
class RelayNetworkReportTest {
    @TempDir
    static Path dir;
    static TestDnsServer dns;
    static PortcullisTestServer server;

    @BeforeAll
    static void start() throws Exception {
        dns = TestDnsServer.start().a("remote.example", "192.0.2.10");
        server = PortcullisTestServer.prepareWithChecksDns(dir, dns.port(), "127.0.0.0/8")
            .start();
        server.addDomain("acme.test");
        server.addUser("bob@acme.test", "bob-Pass-1");
    }

    @AfterAll
    static void stop() {
        server.stop();
        dns.close();
    }

    static String inbox() throws Exception {
        try (TestIMAPClient imap = new TestIMAPClient()) {
            imap.connect("127.0.0.1", server.imapPort()).login("bob@acme.test", "bob-Pass-1").select(TestIMAPClient.INBOX);
            if (imap.getMessageCount(TestIMAPClient.INBOX) == 0) {
                return "";
            }
            return imap.sendCommand("FETCH 1:* (BODY.PEEK[])").replace("=\r\n", "");
        }
    }

    @Test
    void relayNetworkRequestShouldGetTheFromAddressReport() throws Exception {
        try (SMTPMessageSender smtp = new SMTPMessageSender("acme.test")) {
            smtp.connect("127.0.0.1", Port.of(server.smtpPort())).sendMessageWithHeaders("bob@acme.test", "manual-report-request@acme.test",
                "From: bob@acme.test\r\nTo: manual-report-request@acme.test\r\nSubject: report please\r\n\r\nplease\r\n");
        }

        String text = await().atMost(Duration.ofSeconds(30)).until(RelayNetworkReportTest::inbox, t -> t.contains("Quarantine report"));

        assertThat(text).contains("No messages held for you (bob@acme.test)").doesNotContain("report please");
    }
}
