package io.portcullis.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.commons.net.smtp.SMTPClient;
import org.apache.commons.net.smtp.SMTPReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.server.SMTPServer;

import io.portcullis.dns.TestDnsServer;
import io.portcullis.server.PortcullisTestServer;
import io.restassured.path.json.JsonPath;

/**
 * Recipient verification as shipped (conf/delivery.properties untouched): a forward domain asks the downstream
 * server at RCPT time. The downstream is a real SMTP server (SubEtha SMTP) scripted to refuse {@code nobody*@} with
 * 550; it is also the smarthost, so a bounce the gateway sent would land there too. Loopback is outside the relay
 * networks: the test client is the Internet, sending with a forged sender.
 */
class RecipientVerificationFlowTest {
    private static final String FORGED_SENDER = "victim@forged.example";

    @TempDir
    static Path dir;
    static TestDnsServer dns;
    static PortcullisTestServer server;
    static int downstreamPort;
    Downstream downstream;

    /**
     * The downstream "corporate" server: refuses {@code nobody*@<any domain>} at RCPT with 550 5.1.1, accepts any
     * other recipient, keeps what it received (envelope and content) and counts the RCPT commands it was sent.
     */
    static final class Downstream implements AutoCloseable {
        final List<String> received = new CopyOnWriteArrayList<>();
        final AtomicInteger rcpts = new AtomicInteger();
        private final SMTPServer smtp;

        Downstream(int port) {
            smtp = SMTPServer.port(port)
                .bindAddress(InetAddress.getLoopbackAddress())
                .hostName("corp.test")
                .messageHandlerFactory(this::handler)
                .build();
            smtp.start();
        }

        private MessageHandler handler(MessageContext context) {
            return new MessageHandler() {
                private final StringBuilder envelope = new StringBuilder();

                @Override
                public void from(String from) {
                    envelope.append("MAIL FROM:<").append(from).append(">\n");
                }

                @Override
                public void recipient(String recipient) throws RejectException {
                    rcpts.incrementAndGet();
                    if (recipient.toLowerCase(Locale.ROOT).startsWith("nobody")) {
                        throw new RejectException(550, "5.1.1 <" + recipient + ">: Recipient address rejected: User unknown");
                    }
                    envelope.append("RCPT TO:<").append(recipient).append(">\n");
                }

                @Override
                public String data(InputStream data) throws IOException {
                    ByteArrayOutputStream content = new ByteArrayOutputStream();
                    data.transferTo(content);
                    received.add(envelope + content.toString(StandardCharsets.UTF_8));
                    return null;
                }

                @Override
                public void done() {
                    // nothing kept per session
                }
            };
        }

        @Override
        public void close() {
            smtp.stop();
        }
    }

    @BeforeAll
    static void start() throws Exception {
        dns = TestDnsServer.start().a("remote.example", "192.0.2.10").a("forged.example", "192.0.2.20");
        downstreamPort = freePort();
        server = PortcullisTestServer.prepare(dir, Map.of(
            "PORTCULLIS_CHECKS_DNS", "127.0.0.1:" + dns.port(),
            "PORTCULLIS_DNSBL_ZONES", "bl.test=60",
            "PORTCULLIS_URIBL_ZONES", "uribl.test=60",
            "PORTCULLIS_RELAY_NETWORKS", PortcullisTestServer.NO_RELAY_NETWORK,
            "PORTCULLIS_DELIVERY_MODE", "forward",
            "PORTCULLIS_DOWNSTREAM", "127.0.0.1:" + downstreamPort,
            "PORTCULLIS_SMARTHOST", "127.0.0.1:" + downstreamPort,
            "PORTCULLIS_RETRY_DELAYS", "1 hour"))
            .start();
        server.addDomain("acme.test");
    }

    @AfterAll
    static void stop() {
        server.stop();
        dns.close();
    }

    @AfterEach
    void stopDownstream() {
        if (downstream != null) {
            downstream.close();
            downstream = null;
        }
    }

    @Test
    void unknownRecipientShouldBeRefusedAtRcptWithNothingQueuedAndNoBounceWhenTheDownstreamRefusesIt() throws Exception {
        downstream = new Downstream(downstreamPort);
        SMTPClient client = connect();
        try {
            assertThat(client.mail("<" + FORGED_SENDER + ">")).isEqualTo(SMTPReply.ACTION_OK);
            assertThat(client.rcpt("<nobody@acme.test>")).isEqualTo(550);
            assertThat(client.getReplyString()).contains("5.1.1").contains("nobody@acme.test");
            assertThat(client.sendShortMessageData("Subject: to nobody\r\n\r\nhello\r\n")).isFalse();
        } finally {
            client.disconnect();
        }

        // Tracked once, with its reject reason.
        JsonPath rejected = await().atMost(Duration.ofSeconds(10)).until(() -> server.webAdmin()
            .queryParam("recipient", "nobody@acme.test").queryParam("rejectReason", "spam:recipientverification")
            .get("/portcullis/tracking").then().statusCode(200).extract().jsonPath(), json -> json.getInt("total") > 0);
        assertThat(rejected.getInt("total")).isEqualTo(1);
        assertThat(rejected.getString("messages[0].status")).isEqualTo("rejected");

        // A known recipient is accepted and delivered; the unknown one never reached a queue, so nothing bounces.
        assertThat(send("someone@acme.test", "to someone")).isTrue();
        await().atMost(Duration.ofSeconds(30)).until(() -> downstream.received.stream().anyMatch(m -> m.contains("Subject: to someone")));
        Thread.sleep(2000);
        assertThat(downstream.received).hasSize(1).noneMatch(m -> m.contains("RCPT TO:<" + FORGED_SENDER + ">"));
        assertThat(server.webAdmin().get("/portcullis/logs/pending").then().statusCode(200).extract().jsonPath()
            .getList("messages")).isEmpty();
    }

    @Test
    void answersShouldBeCachedSoTheDownstreamIsNotAskedForEveryMessage() throws Exception {
        downstream = new Downstream(downstreamPort);
        assertThat(rcpt("nobody.cached@acme.test")).isEqualTo(550);
        assertThat(rcpt("cached@acme.test")).isEqualTo(250);
        int asked = downstream.rcpts.get();

        assertThat(rcpt("nobody.cached@acme.test")).isEqualTo(550);
        assertThat(rcpt("CACHED@acme.test")).isEqualTo(250);

        assertThat(downstream.rcpts.get()).isEqualTo(asked);
    }

    @Test
    void recipientShouldGetATemporaryRefusalWhenTheDownstreamIsDown() throws Exception {
        SMTPClient client = connect();
        try {
            assertThat(client.mail("<" + FORGED_SENDER + ">")).isEqualTo(SMTPReply.ACTION_OK);
            assertThat(client.rcpt("<unverified@acme.test>")).isEqualTo(451);
            assertThat(client.getReplyString()).startsWith("451 4.4.").contains("unverified@acme.test");
        } finally {
            client.disconnect();
        }
    }

    private static SMTPClient connect() throws IOException {
        SMTPClient client = new SMTPClient();
        client.connect("127.0.0.1", server.smtpPort());
        client.helo("client.remote.example");
        return client;
    }

    private static int rcpt(String to) throws IOException {
        SMTPClient client = connect();
        try {
            client.mail("<" + FORGED_SENDER + ">");
            return client.rcpt("<" + to + ">");
        } finally {
            client.disconnect();
        }
    }

    private static boolean send(String to, String subject) throws IOException {
        SMTPClient client = connect();
        try {
            client.mail("<" + FORGED_SENDER + ">");
            if (client.rcpt("<" + to + ">") != 250) {
                return false;
            }
            return client.sendShortMessageData("From: " + FORGED_SENDER + "\r\nTo: " + to + "\r\nSubject: " + subject
                + "\r\nMessage-ID: <" + subject.replace(' ', '-') + "@forged.example>\r\n\r\nHello.\r\n");
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
