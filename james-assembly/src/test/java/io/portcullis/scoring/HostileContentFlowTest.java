package io.portcullis.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.apache.james.util.Port;
import org.apache.james.utils.SMTPMessageSender;
import org.apache.james.utils.TestIMAPClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.restassured.path.json.JsonPath;

import io.portcullis.dns.TestDnsServer;
import io.portcullis.server.PortcullisTestServer;

/**
 * Hostile content over SMTP against the bundled configuration: a part of 30,000 unclosed anchors (the former link
 * scan took 86 s on it and held a spool thread all along) is scored and delivered promptly; a program behind 1.1 MB of
 * filler in a ZIP is found; a truncated ZIP is held as stalled. Each test has its own recipient.
 */
class HostileContentFlowTest {
    private static final String PASSWORD = "user-Pass-1";

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
        server = PortcullisTestServer.prepareWithChecksDns(dir, dns.port(), PortcullisTestServer.NO_RELAY_NETWORK).start();
        server.addDomain("acme.test");
        for (String user : new String[] {"anchors", "filler", "cut"}) {
            server.addUser(user + "@acme.test", PASSWORD);
        }
    }

    @AfterAll
    static void stop() {
        server.stop();
        dns.close();
    }

    private static void send(String to, String message) throws Exception {
        try (SMTPMessageSender smtp = new SMTPMessageSender("remote.example")) {
            smtp.connect("127.0.0.1", Port.of(server.smtpPort())).sendMessageWithHeaders("alice@remote.example", to, message);
        }
    }

    private static String delivered(String user, Duration within) throws Exception {
        try (TestIMAPClient imap = new TestIMAPClient()) {
            imap.connect("127.0.0.1", server.imapPort()).login(user, PASSWORD).select(TestIMAPClient.INBOX)
                .awaitMessageCount(await().atMost(within), 1);
            // headers only, unfolded
            return imap.sendCommand("FETCH 1 (BODY.PEEK[HEADER])").replace("\r\n ", " ").replace("\r\n\t", " ");
        }
    }

    private static String withAttachment(String to, String subject, String filename, byte[] content) {
        String base64 = Base64.getMimeEncoder(76, "\r\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(content);
        return "From: alice@remote.example\r\nTo: " + to + "\r\nSubject: " + subject + "\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
            + "--b1\r\nContent-Type: text/plain\r\n\r\nthe photos\r\n"
            + "--b1\r\nContent-Type: application/zip; name=\"" + filename + "\"\r\nContent-Transfer-Encoding: base64\r\n"
            + "Content-Disposition: attachment; filename=\"" + filename + "\"\r\n\r\n" + base64 + "\r\n--b1--\r\n";
    }

    private static byte[] zip(Object... namesAndContents) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (int i = 0; i < namesAndContents.length; i += 2) {
                byte[] content = (byte[]) namesAndContents[i + 1];
                ZipEntry entry = new ZipEntry((String) namesAndContents[i]);
                CRC32 crc = new CRC32();
                crc.update(content);
                entry.setMethod(ZipEntry.STORED);
                entry.setSize(content.length);
                entry.setCrc(crc.getValue());
                zip.putNextEntry(entry);
                zip.write(content);
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    @Test
    void serverShouldScoreAndDeliverAPartOfThirtyThousandUnclosedAnchorsPromptly() throws Exception {
        String to = "anchors@acme.test";
        String html = "<html><body><p>Hello</p>" + "<a href=x>".repeat(30_000) + "</body></html>";
        String message = "From: alice@remote.example\r\nTo: " + to + "\r\nSubject: anchors\r\n"
            + "MIME-Version: 1.0\r\nContent-Type: text/html; charset=us-ascii\r\n\r\n" + html.replace(">", ">\r\n") + "\r\n";

        long start = System.nanoTime();
        send(to, message);
        String headers = delivered(to, Duration.ofSeconds(30));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        System.out.println("30,000 unclosed anchors (" + html.length() / 1024 + " KB): delivered " + took.toMillis() + " ms after the send");

        assertThat(headers).contains("Subject: anchors").doesNotContain("[SUSPECT]").doesNotContain("took too long");
    }

    @Test
    void serverShouldFindAProgramBehindAFillerEntryOfMoreThanOneMegabyteInAZip() throws Exception {
        String to = "filler@acme.test";
        byte[] filler = new byte[1_100_000];
        new Random(7).nextBytes(filler);
        byte[] archive = zip("filler.bin", filler, "evil.exe", "MZ not really a program".getBytes(StandardCharsets.US_ASCII));

        send(to, withAttachment(to, "holiday photos", "holiday-photos.zip", archive));
        String headers = delivered(to, Duration.ofSeconds(60));

        assertThat(headers).contains("Subject: [SUSPECT] holiday photos")
            .contains("attachment evil.exe in holiday-photos.zip is a dangerous file type (.exe): +60");
    }

    @Test
    void serverShouldHoldATruncatedZipAsStalled() throws Exception {
        String to = "cut@acme.test";
        byte[] archive = zip("report.pdf", "x".repeat(50_000).getBytes(StandardCharsets.US_ASCII), "evil.exe",
            "MZ".getBytes(StandardCharsets.US_ASCII));

        send(to, withAttachment(to, "cut archive", "report.zip", Arrays.copyOf(archive, archive.length / 2)));

        JsonPath held = await().atMost(Duration.ofSeconds(30)).until(() -> server.webAdmin().queryParam("area", "stalled")
                .queryParam("recipient", to).get("/portcullis/quarantine").then().statusCode(200).extract().jsonPath()
                .setRootPath("items.find { it.subject == 'cut archive' }"),
            json -> json.getString("id") != null);
        String reason = server.webAdmin().get("/portcullis/quarantine/" + held.getString("id")).then().statusCode(200)
            .extract().jsonPath().getString("unscannableReason");
        assertThat(reason).contains("ZIP archive report.zip is truncated (no central directory)");
        try (TestIMAPClient imap = new TestIMAPClient()) {
            imap.connect("127.0.0.1", server.imapPort()).login(to, PASSWORD).select(TestIMAPClient.INBOX);
            assertThat(imap.getMessageCount(TestIMAPClient.INBOX)).isZero();
        }
    }
}
