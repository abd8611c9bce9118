package io.portcullis.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.commons.net.smtp.SMTPClient;
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
 * Quarantine reports on the bundled server, real SMTP in and IMAP out: on-demand requests (authenticated,
 * outsider, nothing held), the signed links (GET changes nothing, POST releases once, tampered fails) and a
 * run through {@code POST /portcullis/reports} as a James task reporting only new items.
 */
class ReportFlowTest {
    private static final String GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";
    private static final Pattern RELEASE = Pattern.compile("Release: \\S+token=([A-Za-z0-9_\\-.]+)");

    @TempDir
    static Path dir;
    static TestDnsServer dns;
    static PortcullisTestServer server;

    @BeforeAll
    static void start() throws Exception {
        dns = TestDnsServer.start().a("remote.example", "192.0.2.10");
        server = PortcullisTestServer.prepareWithChecksDns(dir, dns.port(), PortcullisTestServer.NO_RELAY_NETWORK)
            .start();
        server.addDomain("acme.test");
        for (String user : new String[] {"bob", "carol", "dave", "erin", "frank", "gina"}) {
            server.addUser(user + "@acme.test", user + "-Pass-1");
        }
    }

    @AfterAll
    static void stop() {
        server.stop();
        dns.close();
    }

    static void sendJunk(String to, String subject) throws Exception {
        try (SMTPMessageSender smtp = new SMTPMessageSender("remote.example")) {
            smtp.connect("127.0.0.1", Port.of(server.smtpPort())).sendMessageWithHeaders("alice@remote.example", to,
                "From: alice@remote.example\r\nTo: " + to + "\r\nSubject: " + subject + "\r\n\r\n" + GTUBE + "\r\n");
        }
    }

    static void awaitHeld(String recipient, String subject) {
        await().atMost(Duration.ofSeconds(30)).until(() -> server.webAdmin().queryParam("recipient", recipient)
            .get("/portcullis/quarantine").then().statusCode(200).extract().jsonPath()
            .getList("items.subject").contains(subject));
    }

    static boolean isHeld(String recipient, String subject) {
        return server.webAdmin().queryParam("recipient", recipient).get("/portcullis/quarantine").then().statusCode(200)
            .extract().jsonPath().getList("items.subject").contains(subject);
    }

    static void requestReport(String user) throws Exception {
        try (SMTPMessageSender smtp = new SMTPMessageSender("acme.test")) {
            smtp.connect("127.0.0.1", Port.of(server.submissionPort())).authenticate(user + "@acme.test", user + "-Pass-1")
                .sendMessageWithHeaders(user + "@acme.test", "manual-report-request@acme.test",
                    "From: " + user + "@acme.test\r\nTo: manual-report-request@acme.test\r\nSubject: report please\r\n\r\nplease\r\n");
        }
    }

    static long count(String user) throws Exception {
        try (TestIMAPClient imap = new TestIMAPClient()) {
            imap.connect("127.0.0.1", server.imapPort()).login(user + "@acme.test", user + "-Pass-1").select(TestIMAPClient.INBOX);
            return imap.getMessageCount(TestIMAPClient.INBOX);
        }
    }

    /** All messages of the user's INBOX, raw, concatenated (decoded from quoted-printable soft breaks). */
    static String inbox(String user) throws Exception {
        try (TestIMAPClient imap = new TestIMAPClient()) {
            imap.connect("127.0.0.1", server.imapPort()).login(user + "@acme.test", user + "-Pass-1").select(TestIMAPClient.INBOX);
            if (imap.getMessageCount(TestIMAPClient.INBOX) == 0) {
                return "";
            }
            return imap.sendCommand("FETCH 1:* (BODY.PEEK[])").replace("=\r\n", "").replace("=3D", "=");
        }
    }

    static String awaitInbox(String user, String contains) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> inbox(user), text -> text.contains(contains));
    }

    @Test
    void authenticatedRequestShouldGetReportListingExactlyTheUsersMessages() throws Exception {
        sendJunk("bob@acme.test", "bob junk one");
        sendJunk("carol@acme.test", "carol junk");
        awaitHeld("bob@acme.test", "bob junk one");
        awaitHeld("carol@acme.test", "carol junk");

        requestReport("bob");

        String text = awaitInbox("bob", "Quarantine report");
        assertThat(text).contains("bob junk one").doesNotContain("carol junk").doesNotContain("report please");
        assertThat(Files.getPosixFilePermissions(server.workingDirectory().resolve("var/portcullis-report.key")))
            .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
    }

    @Test
    void requestShouldGetNothingHeldReplyWhenNothingHeld() throws Exception {
        requestReport("dave");

        assertThat(awaitInbox("dave", "Quarantine report")).contains("No messages held for you (dave@acme.test) in the last 14 days.");
    }

    @Test
    void outsiderRequestShouldBeRefusedAndNeverRelayed() throws Exception {
        SMTPClient smtp = new SMTPClient();
        smtp.connect("127.0.0.1", server.smtpPort());
        try {
            smtp.helo("remote.example");
            smtp.setSender("frank@acme.test");
            // Never relayed: another domain's report address is refused outright.
            assertThat(smtp.addRecipient("manual-report-request@elsewhere.example")).isFalse();
            // On our own domain the usual rules apply (the RCPT hook does not help an outsider): whatever the
            // answer, the request is not treated as one and frank gets no report.
            if (smtp.addRecipient("manual-report-request@acme.test")) {
                smtp.sendShortMessageData("From: frank@acme.test\r\nTo: manual-report-request@acme.test\r\nSubject: report please\r\n\r\nplease\r\n");
            }
        } finally {
            smtp.disconnect();
        }
        Thread.sleep(3000);
        assertThat(inbox("frank")).doesNotContain("Quarantine report");
    }

    @Test
    void releaseLinkShouldAskOnGetAndReleaseOnceOnPost() throws Exception {
        sendJunk("carol@acme.test", "carol wanted mail");
        awaitHeld("carol@acme.test", "carol wanted mail");
        requestReport("carol");
        String report = awaitInbox("carol", "Quarantine report");
        Matcher release = Pattern.compile("Subject: carol wanted mail[\\s\\S]*?Release: \\S+token=([A-Za-z0-9_\\-.]+)").matcher(report);
        assertThat(release.find()).isTrue();
        String token = release.group(1);
        long before = count("carol");

        String page = server.webAdmin().queryParam("token", token).get(ReportService.ROUTE).then().statusCode(200).extract().asString();
        assertThat(page).contains("<form method=\"post\"").contains("carol wanted mail");
        Thread.sleep(1000);
        assertThat(isHeld("carol@acme.test", "carol wanted mail")).isTrue();

        String tampered = token.substring(0, 4) + (token.charAt(4) == 'A' ? 'B' : 'A') + token.substring(5);
        server.webAdmin().contentType("application/x-www-form-urlencoded").formParam("token", tampered).post(ReportService.ROUTE).then().statusCode(400);
        assertThat(isHeld("carol@acme.test", "carol wanted mail")).isTrue();

        server.webAdmin().contentType("application/x-www-form-urlencoded").formParam("token", token).post(ReportService.ROUTE).then().statusCode(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> count("carol") == before + 1);
        assertThat(inbox("carol")).contains(GTUBE);

        server.webAdmin().contentType("application/x-www-form-urlencoded").formParam("token", token).post(ReportService.ROUTE).then().statusCode(410);
        Thread.sleep(2000);
        assertThat(count("carol")).isEqualTo(before + 1);
    }

    @Test
    void reportRunShouldBeATaskSendingOnlyNewItems() throws Exception {
        sendJunk("erin@acme.test", "erin old junk");
        awaitHeld("erin@acme.test", "erin old junk");
        String first = server.webAdmin().queryParam("recipient", "erin@acme.test").post("/portcullis/reports")
            .then().statusCode(201).extract().jsonPath().getString("taskId");
        server.webAdmin().get("/tasks/" + first + "/await").then().statusCode(200);
        awaitInbox("erin", "erin old junk");
        long before = count("erin");
        sendJunk("erin@acme.test", "erin new junk");
        awaitHeld("erin@acme.test", "erin new junk");

        String second = server.webAdmin().post("/portcullis/reports").then().statusCode(201).extract().jsonPath().getString("taskId");
        String status = server.webAdmin().get("/tasks/" + second + "/await").then().statusCode(200).extract().jsonPath().getString("status");

        assertThat(status).isEqualTo("completed");
        await().atMost(Duration.ofSeconds(30)).until(() -> count("erin") == before + 1);
        try (TestIMAPClient imap = new TestIMAPClient()) {
            imap.connect("127.0.0.1", server.imapPort()).login("erin@acme.test", "erin-Pass-1").select(TestIMAPClient.INBOX);
            String last = imap.sendCommand("FETCH " + (before + 1) + " (BODY.PEEK[])").replace("=\r\n", "");
            assertThat(last).contains("erin new junk").doesNotContain("erin old junk");
        }
        assertThat(server.webAdmin().get("/tasks").then().statusCode(200).extract().jsonPath().getList("type"))
            .contains("portcullis-quarantine-reports");
    }

    @Test
    void reportShouldShowASubjectWithLineBreaksOnOneLineWhenItFakesALink() throws Exception {
        // Decodes to "x\r\nRelease: http://evil.example/": a subject that would add a link line of its own.
        sendJunk("gina@acme.test", "=?UTF-8?Q?x=0D=0ARelease:_http://evil.example/?=");
        await().atMost(Duration.ofSeconds(30)).until(() -> server.webAdmin().queryParam("recipient", "gina@acme.test")
            .get("/portcullis/quarantine").then().statusCode(200).extract().jsonPath().getList("items").size() == 1);

        requestReport("gina");

        String report = awaitInbox("gina", "Quarantine report");
        assertThat(report).contains("Subject: x Release: http://evil.example/");
        assertThat(report.lines()).noneMatch(line -> line.strip().startsWith("Release: http://evil"));
    }
}
