package io.portcullis.delivery.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.james.core.MailAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.portcullis.delivery.DeliveryConfiguration;

/** The probe against a minimal scripted SMTP server on loopback (known users: alice@acme.test). */
class SmtpRecipientVerifierTest {
    ServerSocket server;
    Thread thread;
    final AtomicInteger connections = new AtomicInteger();
    volatile String rcptReplyForUnknown = "550 5.1.1 User unknown";

    @BeforeEach
    void start() throws Exception {
        server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        thread = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket socket = server.accept()) {
                    connections.incrementAndGet();
                    BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
                    OutputStream out = socket.getOutputStream();
                    out.write("220 corp ESMTP\r\n".getBytes(StandardCharsets.US_ASCII));
                    String line;
                    while ((line = in.readLine()) != null) {
                        String reply;
                        if (line.startsWith("EHLO")) {
                            reply = "250-corp\r\n250 8BITMIME";
                        } else if (line.startsWith("RCPT")) {
                            reply = line.contains("alice@acme.test") ? "250 2.1.5 Ok" : rcptReplyForUnknown;
                        } else if (line.startsWith("QUIT")) {
                            out.write("221 Bye\r\n".getBytes(StandardCharsets.US_ASCII));
                            break;
                        } else {
                            reply = "250 Ok";
                        }
                        out.write((reply + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    }
                } catch (Exception e) {
                    // closed
                }
            }
        });
        thread.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        thread.join(5000);
    }

    private SmtpRecipientVerifier verifier(int port) {
        return new SmtpRecipientVerifier(DeliveryConfiguration.parse(Map.of("downstream", "127.0.0.1:" + port, "verification.timeout", "2s")));
    }

    @Test
    void verifyShouldSayExistsWhenTheDownstreamAcceptsTheRecipient() throws Exception {
        assertThat(verifier(server.getLocalPort()).verify(new MailAddress("alice@acme.test")).answer()).isEqualTo(RecipientVerifier.Answer.EXISTS);
    }

    @Test
    void verifyShouldSayUnknownWithTheReplyWhenTheDownstreamRefusesTheRecipient() throws Exception {
        RecipientVerifier.Verdict verdict = verifier(server.getLocalPort()).verify(new MailAddress("nobody@acme.test"));

        assertThat(verdict.answer()).isEqualTo(RecipientVerifier.Answer.UNKNOWN);
        assertThat(verdict.detail()).isEqualTo("550 5.1.1 User unknown");
    }

    @Test
    void verifyShouldSayUnavailableWhenTheDownstreamAnswersTemporarily() throws Exception {
        rcptReplyForUnknown = "451 4.3.0 try later";

        assertThat(verifier(server.getLocalPort()).verify(new MailAddress("nobody@acme.test")).answer()).isEqualTo(RecipientVerifier.Answer.UNAVAILABLE);
    }

    @Test
    void verifyShouldSayUnavailableWhenTheDownstreamCannotBeReached() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        assertThat(verifier(closed).verify(new MailAddress("alice@acme.test")).answer()).isEqualTo(RecipientVerifier.Answer.UNAVAILABLE);
    }

    @Test
    void verifyShouldReuseADefiniteAnswerWithoutAskingAgain() throws Exception {
        SmtpRecipientVerifier verifier = verifier(server.getLocalPort());

        verifier.verify(new MailAddress("nobody@acme.test"));
        verifier.verify(new MailAddress("NOBODY@acme.test"));

        assertThat(connections.get()).isEqualTo(1);
    }

    @Test
    void verifyShouldAskAgainForAnUnknownRecipientWhenTheShorterNegativeCacheExpired() throws Exception {
        SmtpRecipientVerifier verifier = new SmtpRecipientVerifier(DeliveryConfiguration.parse(Map.of(
            "downstream", "127.0.0.1:" + server.getLocalPort(), "verification.timeout", "2s",
            "verification.negativeCacheTtl", "300ms")));

        assertThat(verifier.verify(new MailAddress("nobody@acme.test")).answer()).isEqualTo(RecipientVerifier.Answer.UNKNOWN);
        assertThat(verifier.verify(new MailAddress("alice@acme.test")).answer()).isEqualTo(RecipientVerifier.Answer.EXISTS);
        assertThat(connections.get()).isEqualTo(2);
        Thread.sleep(600);
        verifier.verify(new MailAddress("nobody@acme.test"));
        verifier.verify(new MailAddress("alice@acme.test"));

        assertThat(connections.get()).as("unknown asked again, exists still cached").isEqualTo(3);
    }
}
