package io.portcullis.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.portcullis.bench.LoadMix;
import io.portcullis.delivery.DeliveryJournal;
import io.portcullis.delivery.DeliveryRecorder;
import io.portcullis.delivery.ScriptedSmtpServer;
import io.portcullis.delivery.ScriptedSmtpServer.Reply;
import io.portcullis.dns.TestDnsServer;

/**
 * The duplicate window every SMTP relay has, made visible: the packaged distribution relays a message to a
 * downstream server ({@link ScriptedSmtpServer}) that reads the whole content and never answers; the gateway is killed with SIGKILL while it
 * waits for that reply, and restarted. The message must be delivered again (nothing lost), and the Delivery log and
 * tracking must say that the first attempt was cut off after its content was sent, so the recipient may have two
 * copies.
 */
class CutOffDeliveryIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void aDeliveryCutOffByAKillBeforeTheReplyShouldBeDeliveredAgainAndFlaggedAsAPossibleSecondCopy() throws Exception {
        try (TestDnsServer dns = LoadMix.dns(); ScriptedSmtpServer downstream = ScriptedSmtpServer.onFreePort()) {
            // The first end of content is read and never answered; the delivery after the restart is accepted.
            downstream.data(Reply.silent(), Reply.ok()).start();
            Map<String, String> environment = new HashMap<>(LoadMix.checksEnvironment(dns));
            environment.put("PORTCULLIS_RELAY_NETWORKS", "192.0.2.1/32");
            environment.put("PORTCULLIS_DOMAIN", LoadMix.RECIPIENT_DOMAIN);
            environment.put("PORTCULLIS_DELIVERY_MODE", "forward");
            environment.put("PORTCULLIS_DOWNSTREAM", "127.0.0.1:" + downstream.port());
            DistributionProcess server = DistributionProcess.prepare(dir.resolve("home"), environment);
            try {
                server.start();
                assertThat(send(server.port("SMTP"), LoadMix.message(LoadMix.Kind.CLEAN_TEXT, "cutoff-1"))).startsWith("250");

                Instant read = Instant.now().plusSeconds(120);
                while (downstream.contents().isEmpty() && Instant.now().isBefore(read)) {
                    Thread.sleep(100);
                }
                assertThat(downstream.contents()).as("the downstream read the end of the content").hasSize(1);
                server.kill9();
                server.start();

                Instant deadline = Instant.now().plusSeconds(120);
                while (downstream.received().isEmpty() && Instant.now().isBefore(deadline)) {
                    Thread.sleep(200);
                }
                assertThat(downstream.received()).as("delivered again after the restart").singleElement()
                    .satisfies(received -> assertThat(received.content()).contains("Message-ID: <cutoff-1@load.example>"));

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
            String greeting = line(in);
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
            line = line(in);
        } while (line != null && line.length() > 3 && line.charAt(3) == '-');
        return line;
    }

    /** A line ended by LF (CR dropped); null at the end of the stream. */
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
}
