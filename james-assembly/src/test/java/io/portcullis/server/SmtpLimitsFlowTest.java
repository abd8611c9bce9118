package io.portcullis.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.portcullis.dns.TestDnsServer;
import io.restassured.path.json.JsonPath;

/**
 * The SMTP listener's limits on the bundled server, from a real client over loopback (outside the relay networks):
 * the shipped cap of refused recipients per session (10, then 421 and the connection closed) and the connections
 * per client address (3 here through PORTCULLIS_SMTP_MAX_CONNECTIONS_PER_IP, the shipped default being 50).
 */
class SmtpLimitsFlowTest {
    private static final int PER_IP = 3;
    private static final int MAX_REFUSED = 10;

    @TempDir
    static Path dir;
    static TestDnsServer dns;
    static PortcullisTestServer server;

    @BeforeAll
    static void start() throws Exception {
        dns = TestDnsServer.start().a("remote.example", "192.0.2.10");
        server = PortcullisTestServer.prepare(dir, Map.of(
            "PORTCULLIS_CHECKS_DNS", "127.0.0.1:" + dns.port(),
            "PORTCULLIS_DNSBL_ZONES", "bl.test=60",
            "PORTCULLIS_URIBL_ZONES", "uribl.test=60",
            "PORTCULLIS_RELAY_NETWORKS", PortcullisTestServer.NO_RELAY_NETWORK,
            "PORTCULLIS_SMTP_MAX_CONNECTIONS_PER_IP", String.valueOf(PER_IP)))
            .start();
        server.addDomain("acme.test");
        server.addUser("bob@acme.test", "bob-Pass-1");
    }

    @AfterAll
    static void stop() {
        server.stop();
        dns.close();
    }

    /** A raw SMTP client: one line per command, the reply's last line back. */
    static final class Client implements AutoCloseable {
        final Socket socket;
        final BufferedReader in;
        final OutputStream out;

        Client() throws IOException {
            socket = new Socket("127.0.0.1", server.smtpPort());
            socket.setSoTimeout(10_000);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            out = socket.getOutputStream();
        }

        /** The greeting, or null when the server closed the connection without one. */
        String greeting() throws IOException {
            try {
                return reply();
            } catch (SocketTimeoutException e) {
                throw e;
            } catch (IOException reset) {
                return null;
            }
        }

        String command(String line) throws IOException {
            out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return reply();
        }

        String reply() throws IOException {
            String line;
            do {
                line = in.readLine();
            } while (line != null && line.length() > 3 && line.charAt(3) == '-');
            return line;
        }

        /** True when the server has closed the connection (end of stream, or a reset). */
        boolean closedByServer() throws IOException {
            try {
                return in.read() < 0;
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException reset) {
                return true;
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void sessionShouldGet421AndBeClosedWhenItsRecipientsWereRefusedMoreThanTheLimit() throws Exception {
        try (Client client = new Client()) {
            assertThat(client.greeting()).startsWith("220");
            assertThat(client.command("EHLO client.remote.example")).startsWith("250");
            assertThat(client.command("MAIL FROM:<harvester@remote.example>")).startsWith("250");
            for (int i = 1; i <= MAX_REFUSED; i++) {
                assertThat(client.command("RCPT TO:<guess" + i + "@acme.test>")).as("refused recipient " + i).startsWith("550");
            }

            // Even an existing user is not accepted any more: the session is over.
            assertThat(client.command("RCPT TO:<bob@acme.test>")).startsWith("421 4.7.0").contains("Too many refused recipients");
            assertThat(client.closedByServer()).isTrue();
        }

        JsonPath tracked = await().atMost(Duration.ofSeconds(10)).until(() -> server.webAdmin()
            .queryParam("rejectReason", "spam:otherrejectreason").queryParam("sender", "harvester@remote.example")
            .get("/portcullis/tracking").then().statusCode(200).extract().jsonPath(), json -> json.getInt("total") > 0);
        assertThat(tracked.getInt("total")).isEqualTo(1);
        String id = tracked.getString("messages[0].trackingId");
        String detail = server.webAdmin().get("/portcullis/tracking/" + id).then().statusCode(200).extract().asString();
        assertThat(detail).contains("421 4.7.0").contains("RefusedRcptLimit");
    }

    @Test
    void sessionShouldGoOnWhenFewerRecipientsThanTheLimitWereRefused() throws Exception {
        try (Client client = new Client()) {
            assertThat(client.greeting()).startsWith("220");
            assertThat(client.command("HELO client.remote.example")).startsWith("250");
            assertThat(client.command("MAIL FROM:<friend@remote.example>")).startsWith("250");
            for (int i = 1; i < MAX_REFUSED; i++) {
                assertThat(client.command("RCPT TO:<typo" + i + "@acme.test>")).startsWith("550");
            }
            assertThat(client.command("RCPT TO:<bob@acme.test>")).startsWith("250");
        }
    }

    @Test
    void connectionsBeyondThePerAddressLimitShouldBeRefused() throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            try (Client probe = new Client()) {
                return probe.greeting() != null;
            }
        });
        List<Client> open = new ArrayList<>();
        try {
            for (int i = 0; i < PER_IP; i++) {
                Client client = new Client();
                open.add(client);
                assertThat(client.greeting()).as("connection " + (i + 1)).startsWith("220");
            }

            try (Client beyond = new Client()) {
                assertThat(beyond.greeting()).as("connection " + (PER_IP + 1)).isNull();
            }

            open.remove(0).close();
            String greeting = await().atMost(Duration.ofSeconds(10)).until(() -> {
                try (Client again = new Client()) {
                    return again.greeting();
                }
            }, line -> line != null);
            assertThat(greeting).startsWith("220");
        } finally {
            for (Client client : open) {
                client.close();
            }
        }
    }
}
