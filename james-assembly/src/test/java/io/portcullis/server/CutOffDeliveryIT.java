package io.portcullis.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.portcullis.bench.LoadMix;
import io.portcullis.delivery.DeliveryJournal;
import io.portcullis.delivery.DeliveryRecorder;
import io.portcullis.dns.TestDnsServer;

/**
 * The duplicate window every SMTP relay has, made visible: the packaged distribution relays a message to a
 * downstream server that reads the whole content and never answers; the gateway is killed with SIGKILL while it
 * waits for that reply, and restarted. The message must be delivered again (nothing lost), and the Delivery log and
 * tracking must say that the first attempt was cut off after its content was sent, so the recipient may have two
 * copies.
 */
class CutOffDeliveryIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** A downstream SMTP server that leaves the first end of content it reads unanswered while {@code stall} holds. */
    static final class Downstream implements AutoCloseable {
        final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final AtomicBoolean stall = new AtomicBoolean(true);
        final CountDownLatch stalled = new CountDownLatch(1);
        final List<String> accepted = new CopyOnWriteArrayList<>();
        final Thread acceptor = new Thread(this::serve, "downstream");

        Downstream() throws IOException {
            acceptor.setDaemon(true);
            acceptor.start();
        }

        private void serve() {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    Thread handler = new Thread(() -> converse(socket), "downstream-session");
                    handler.setDaemon(true);
                    handler.start();
                } catch (IOException closed) {
                    return;
                }
            }
        }

        private void converse(Socket socket) {
            try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
                reply(out, "220 downstream.test ESMTP");
                StringBuilder content = null;
                String line;
                while ((line = line(in)) != null) {
                    if (content != null) {
                        if (!line.equals(".")) {
                            content.append(line).append('\n');
                            continue;
                        }
                        if (stall.compareAndSet(true, false)) {
                            stalled.countDown();
                            while (in.read() >= 0) {
                                // never answered: the gateway is killed meanwhile, which closes the connection
                            }
                            return;
                        }
                        accepted.add(content.toString());
                        content = null;
                        reply(out, "250 2.0.0 Ok: queued as " + accepted.size());
                        continue;
                    }
                    String command = line.toUpperCase(java.util.Locale.ROOT);
                    if (command.startsWith("EHLO")) {
                        reply(out, "250-downstream.test\r\n250 8BITMIME");
                    } else if (command.startsWith("DATA")) {
                        content = new StringBuilder();
                        reply(out, "354 End data with <CR><LF>.<CR><LF>");
                    } else if (command.startsWith("QUIT")) {
                        reply(out, "221 2.0.0 Bye");
                        return;
                    } else {
                        reply(out, "250 2.0.0 Ok");
                    }
                }
            } catch (IOException e) {
                // the gateway went away
            }
        }

        private static void reply(OutputStream out, String reply) throws IOException {
            out.write((reply + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        /** A line ended by LF, as an SMTP server reads it (CR dropped); null at the end of the stream. */
        private static String line(InputStream in) throws IOException {
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) != '\n') {
                if (c < 0) {
                    return null;
                }
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            return line.toString();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    @Test
    void aDeliveryCutOffByAKillBeforeTheReplyShouldBeDeliveredAgainAndFlaggedAsAPossibleSecondCopy() throws Exception {
        try (TestDnsServer dns = LoadMix.dns(); Downstream downstream = new Downstream()) {
            Map<String, String> environment = new HashMap<>(LoadMix.checksEnvironment(dns));
            environment.put("PORTCULLIS_RELAY_NETWORKS", "192.0.2.1/32");
            environment.put("PORTCULLIS_DOMAIN", LoadMix.RECIPIENT_DOMAIN);
            environment.put("PORTCULLIS_DELIVERY_MODE", "forward");
            environment.put("PORTCULLIS_DOWNSTREAM", "127.0.0.1:" + downstream.server.getLocalPort());
            DistributionProcess server = DistributionProcess.prepare(dir.resolve("home"), environment);
            try {
                server.start();
                assertThat(send(server.port("SMTP"), LoadMix.message(LoadMix.Kind.CLEAN_TEXT, "cutoff-1"))).startsWith("250");

                assertThat(downstream.stalled.await(120, TimeUnit.SECONDS)).as("the downstream read the end of the content").isTrue();
                server.kill9();
                server.start();

                Instant deadline = Instant.now().plusSeconds(120);
                while (downstream.accepted.isEmpty() && Instant.now().isBefore(deadline)) {
                    Thread.sleep(200);
                }
                assertThat(downstream.accepted).as("delivered again after the restart").singleElement()
                    .satisfies(content -> assertThat(content).contains("Message-ID: <cutoff-1@load.example>"));

                JsonNode attempts = attemptsOfTheMessage(server);
                assertThat(attempts).hasSize(2);
                assertThat(attempts.get(0).get("outcome").asText()).isEqualTo("deferred");
                assertThat(attempts.get(0).get("reply").asText()).isEqualTo(DeliveryJournal.CUT_OFF_REPLY);
                assertThat(attempts.get(0).get("explanation").asText()).contains("second copy");
                assertThat(attempts.get(0).get("recipients").toString()).contains(LoadMix.RECIPIENT);
                assertThat(attempts.get(1).get("outcome").asText()).isEqualTo("delivered");

                String trackingId = attempts.get(0).get("trackingId").asText();
                JsonNode events = get(server, "/portcullis/tracking/" + trackingId).get("events");
                assertThat(events.toString()).contains(DeliveryRecorder.CUT_OFF_NOTE);
                assertThat(events.get(events.size() - 1).get("type").asText()).isEqualTo("DELIVERED");
                assertThat(Files.readString(server.home().resolve("logs/portcullis.log")))
                    .contains("cut off by the stop between sending the message content and reading the reply");
            } finally {
                server.stop();
            }
        }
    }

    /** The message's attempts, oldest first (the Delivery log's latest attempts, read until the delivered one is there). */
    private static JsonNode attemptsOfTheMessage(DistributionProcess server) throws Exception {
        Instant deadline = Instant.now().plusSeconds(30);
        while (true) {
            JsonNode latest = get(server, "/portcullis/logs/delivery").get("attempts");
            if (latest.size() > 0) {
                String trackingId = latest.get(0).get("trackingId").asText();
                JsonNode attempts = get(server, "/portcullis/logs/delivery/" + trackingId).get("attempts");
                if (attempts.size() >= 2 || Instant.now().isAfter(deadline)) {
                    return attempts;
                }
            }
            if (Instant.now().isAfter(deadline)) {
                return latest;
            }
            Thread.sleep(200);
        }
    }

    private static JsonNode get(DistributionProcess server, String path) throws IOException {
        java.net.HttpURLConnection connection = (java.net.HttpURLConnection) java.net.URI.create(
            "http://127.0.0.1:" + server.port("WEBADMIN") + path).toURL().openConnection();
        connection.setRequestProperty("Authorization", server.authorization());
        try (InputStream body = connection.getInputStream()) {
            return JSON.readTree(body);
        }
    }

    /** One SMTP transaction; the reply to the end of the data. */
    private static String send(int port, String message) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(60_000);
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            String greeting = Downstream.line(in);
            assertThat(greeting).startsWith("220");
            command(in, out, "EHLO client.test");
            command(in, out, "MAIL FROM:<" + LoadMix.Kind.CLEAN_TEXT.sender + ">");
            command(in, out, "RCPT TO:<" + LoadMix.RECIPIENT + ">");
            command(in, out, "DATA");
            out.write((message.endsWith("\r\n") ? message : message + "\r\n").getBytes(StandardCharsets.US_ASCII));
            return command(in, out, ".");
        }
    }

    private static String command(InputStream in, OutputStream out, String command) throws IOException {
        out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String line;
        do {
            line = Downstream.line(in);
        } while (line != null && line.length() > 3 && line.charAt(3) == '-');
        return line;
    }
}
