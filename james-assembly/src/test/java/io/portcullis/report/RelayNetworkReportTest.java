package io.portcullis.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.james.util.Port;
import org.apache.james.utils.SMTPMessageSender;
import org.apache.james.utils.TestIMAPClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subethamail.smtp.helper.SimpleMessageListener;
import org.subethamail.smtp.server.SMTPServer;

import io.portcullis.dns.TestDnsServer;
import io.portcullis.server.PortcullisTestServer;
import io.restassured.path.json.JsonPath;

/**
 * A report request from a relay network (loopback is one here), unauthenticated: the From address gets its report
 * when it is one of ours; a request whose From is outside our domains is answered to nobody. Mail to the Internet
 * goes through a smarthost that keeps what it receives (SubEtha SMTP), so that a report mailed outside would be seen.
 */
class RelayNetworkReportTest {
    @TempDir
    static Path dir;
    static TestDnsServer dns;
    static PortcullisTestServer server;
    static SMTPServer smarthost;
    static final List<String> outside = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        dns = TestDnsServer.start().a("remote.example", "192.0.2.10");
        smarthost = SMTPServer.port(0).bindAddress(InetAddress.getLoopbackAddress())
            .simpleMessageListener(new SimpleMessageListener() {
                @Override
                public boolean accept(String from, String recipient) {
                    return true;
                }

                @Override
                public void deliver(String from, String recipient, InputStream data) throws IOException {
                    outside.add(recipient + "\n" + new String(data.readAllBytes(), StandardCharsets.UTF_8));
                }
            }).build();
        smarthost.start();
        server = PortcullisTestServer.prepare(dir, Map.of(
            "PORTCULLIS_CHECKS_DNS", "127.0.0.1:" + dns.port(),
            "PORTCULLIS_RELAY_NETWORKS", "127.0.0.0/8",
            "PORTCULLIS_DNSBL_ZONES", "bl.test=60",
            "PORTCULLIS_URIBL_ZONES", "uribl.test=60",
            "PORTCULLIS_SMARTHOST", "127.0.0.1:" + smarthost.getPortAllocated()))
            .start();
        server.addDomain("acme.test");
        server.addUser("bob@acme.test", "bob-Pass-1");
    }

    @AfterAll
    static void stop() {
        server.stop();
        smarthost.stop();
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

    @Test
    void relayNetworkRequestShouldMailNoReportAnywhereWhenTheFromAddressIsNotOurs() throws Exception {
        try (SMTPMessageSender smtp = new SMTPMessageSender("acme.test")) {
            smtp.connect("127.0.0.1", Port.of(server.smtpPort())).sendMessageWithHeaders("victim@elsewhere.example", "manual-report-request@acme.test",
                "From: victim@elsewhere.example\r\nTo: manual-report-request@acme.test\r\nSubject: external report please\r\n\r\nplease\r\n");
        }

        String detail = await().atMost(Duration.ofSeconds(30)).until(() -> {
            JsonPath found = server.webAdmin().queryParam("subject", "external report please").get("/portcullis/tracking")
                .then().statusCode(200).extract().jsonPath();
            return found.getInt("total") == 0 ? "" : server.webAdmin().get("/portcullis/tracking/" + found.getString("messages[0].trackingId"))
                .then().statusCode(200).extract().asString();
        }, text -> text.contains("REPORT_REQUESTED"));
        assertThat(detail).contains("REFUSED").contains("not an address of our domains");
        Thread.sleep(3000);
        assertThat(outside).noneMatch(mail -> mail.contains("Quarantine report"));
        assertThat(server.webAdmin().get("/portcullis/logs/pending").then().statusCode(200).extract().jsonPath()
            .getList("messages")).isEmpty();
    }
}
