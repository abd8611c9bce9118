package io.portcullis.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.commons.net.MalformedServerReplyException;
import org.apache.commons.net.imap.IMAPClient;
import org.apache.commons.net.smtp.SMTPClient;
import org.apache.commons.net.smtp.SMTPReply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;

/**
 * Many messages delivered at the same time to one local mailbox: every acknowledged message must be in the
 * mailbox under its own UID with its own content, read back over IMAP, and the database must hold one INBOX
 * and one row per message.
 * <p>
 * Runs only with {@code -Dconcurrent.delivery=true}: it fails on the current server. About one IMAP FETCH in 150 of
 * these messages gets a malformed response although the mailbox holds every message it was given, each under its
 * own UID. (It also caught the spool leaving the last message of the burst waiting until the next one arrived: the
 * free-space gate of the queues, since mended.)
 */
@EnabledIfSystemProperty(named = "concurrent.delivery", matches = "true")
class ConcurrentLocalDeliveryTest {
    private static final String DOMAIN = "burst.test";
    private static final String RCPT = "rcpt@" + DOMAIN;
    private static final String PASSWORD = "s3cret-Pass";
    private static final int MESSAGES = Integer.getInteger("burst.messages", 300);
    private static final int CLIENTS = 8;
    private static final int BODY_BYTES = 48 * 1024;
    private static final Pattern SUBJECT = Pattern.compile("Subject: (burst-[\\w]+)\r\n");
    private static final Pattern UID = Pattern.compile("UID (\\d+)");

    @TempDir
    Path dir;

    @Test
    void everyMessageShouldHaveItsOwnUidAndContentWhenManyAreDeliveredAtOnceToOneMailbox() throws Exception {
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        Map<String, String> refusals = new ConcurrentHashMap<>();
        Map<String, String> found = new TreeMap<>();
        Map<Long, String> uids = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        String spool = "";
        String spoolAfterNudge = "never left a message";
        for (String logger : List.of("org.apache.james.transport.mailets.delivery", "org.apache.james.smtpserver.SendMailHandler")) {
            ((Logger) LoggerFactory.getLogger(logger)).setLevel(Level.INFO);
        }
        PortcullisTestServer server = PortcullisTestServer.prepare(dir, Map.of()).start();
        try {
            server.addDomain(DOMAIN);
            server.addUser(RCPT, PASSWORD);
            send(server.smtpPort(), acknowledged, refusals);
            assertThat(refusals).isEmpty();
            if (!awaitEmptySpool(server, Duration.ofSeconds(60))) {
                // what releases a message left in the spool: one more message through the same path?
                String left = server.webAdmin().get("/mailQueues/spool/mails").then().extract().asString();
                Set<String> nudge = ConcurrentHashMap.newKeySet();
                sendOne(server.smtpPort(), "burst-nudge", nudge, refusals);
                spoolAfterNudge = "left before one more message: " + left + "; after it: "
                    + (awaitEmptySpool(server, Duration.ofSeconds(30)) ? "empty" : server.webAdmin().get("/mailQueues/spool/mails").then().extract().asString());
            }

            IMAPClient imap = login(server.imapPort());
            try {
                int count = awaitCount(imap, acknowledged.size());
                for (int i = 1; i <= count; i++) {
                    String reply;
                    try {
                        assertThat(imap.fetch(String.valueOf(i), "(UID BODY.PEEK[])")).as("FETCH %d: %s", i, imap.getReplyString()).isTrue();
                        reply = imap.getReplyString();
                    } catch (MalformedServerReplyException e) {
                        // the connection is out of step with the server: note it, go on with a new one
                        problems.add("message " + i + ": malformed FETCH response (" + e.getMessage() + ")");
                        imap.disconnect();
                        imap = login(server.imapPort());
                        assertThat(imap.select("INBOX")).isTrue();
                        continue;
                    }
                    Matcher uid = UID.matcher(reply);
                    Matcher subject = SUBJECT.matcher(reply);
                    if (!uid.find() || !subject.find()) {
                        problems.add("message " + i + ": no UID or subject in " + reply.substring(0, Math.min(200, reply.length())));
                        continue;
                    }
                    String name = subject.group(1);
                    String previous = uids.put(Long.parseLong(uid.group(1)), name);
                    if (previous != null) {
                        problems.add("UID " + uid.group(1) + " held by " + previous + " and " + name);
                    }
                    found.put(name, reply.contains(body(name)) ? "intact" : "altered");
                }
            } finally {
                imap.logout();
                imap.disconnect();
            }
            spool = server.webAdmin().get("/mailQueues/spool").then().extract().asString()
                + " " + server.webAdmin().get("/mailQueues/spool/mails").then().extract().asString();
        } finally {
            server.stop();
        }

        List<String> missing = acknowledged.stream().filter(s -> !found.containsKey(s)).sorted().toList();
        List<String> altered = found.entrySet().stream().filter(e -> !e.getValue().equals("intact")).map(Map.Entry::getKey).toList();
        String summary = String.format("%d acknowledged, %d found over IMAP, %d distinct UIDs, missing %s, altered %s, problems %s",
            acknowledged.size(), found.size(), uids.size(), missing, altered, problems);
        System.out.println("concurrent delivery: " + summary + "; spool " + spool + "; spool " + spoolAfterNudge + "; database: " + databaseFigures());
        assertThat(acknowledged).as(summary).hasSize(MESSAGES);
        assertThat(spoolAfterNudge).as("every acknowledged message taken from the spool within 60s: " + summary + "; " + spoolAfterNudge)
            .isEqualTo("never left a message");
        assertThat(problems).as(summary).isEmpty();
        assertThat(missing).as(summary).isEmpty();
        assertThat(altered).as(summary).isEmpty();
    }

    private static void send(int port, Set<String> acknowledged, Map<String, String> refusals) throws Exception {
        AtomicInteger next = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        for (int t = 0; t < CLIENTS; t++) {
            clients.submit(() -> {
                int i;
                while ((i = next.getAndIncrement()) < MESSAGES) {
                    sendOne(port, "burst-" + i, acknowledged, refusals);
                }
                return null;
            });
        }
        clients.shutdown();
        assertThat(clients.awaitTermination(10, TimeUnit.MINUTES)).isTrue();
    }

    private static IMAPClient login(int port) throws Exception {
        IMAPClient imap = new IMAPClient();
        imap.connect("127.0.0.1", port);
        assertThat(imap.login(RCPT, PASSWORD)).isTrue();
        return imap;
    }

    private static void sendOne(int port, String name, Set<String> acknowledged, Map<String, String> refusals) throws Exception {
        SMTPClient smtp = new SMTPClient();
        smtp.connect("127.0.0.1", port);
        try {
            smtp.helo("sender.example");
            boolean sent = smtp.setSender("sender@remote.example") && smtp.addRecipient(RCPT)
                && smtp.sendShortMessageData("From: sender@remote.example\r\nTo: " + RCPT + "\r\nSubject: " + name
                    + "\r\nMessage-ID: <" + name + "@" + DOMAIN + ">\r\nMIME-Version: 1.0\r\n\r\n" + body(name));
            if (sent) {
                acknowledged.add(name);
            } else {
                refusals.put(name, smtp.getReplyString().trim());
            }
            smtp.quit();
        } finally {
            smtp.disconnect();
        }
    }

    /** Whether the spool queue became empty (every message taken and processed) within the time given. */
    private static boolean awaitEmptySpool(PortcullisTestServer server, Duration wait) throws InterruptedException {
        Instant deadline = Instant.now().plus(wait);
        while (Instant.now().isBefore(deadline)) {
            if (server.webAdmin().get("/mailQueues/spool").then().extract().asString().contains("\"size\":0")) {
                return true;
            }
            Thread.sleep(500);
        }
        return false;
    }

    /** Waits until the mailbox holds at least the expected count and has stayed the same for three seconds. */
    private static int awaitCount(IMAPClient imap, int expected) throws Exception {
        Pattern exists = Pattern.compile("\\* (\\d+) EXISTS");
        Instant deadline = Instant.now().plus(Duration.ofSeconds(40));
        int count = -1;
        Instant stableSince = Instant.now();
        while (Instant.now().isBefore(deadline)) {
            assertThat(imap.select("INBOX")).isTrue();
            Matcher matcher = exists.matcher(imap.getReplyString());
            int now = matcher.find() ? Integer.parseInt(matcher.group(1)) : 0;
            if (now != count) {
                count = now;
                stableSince = Instant.now();
            } else if (count >= expected && Duration.between(stableSince, Instant.now()).toSeconds() >= 3) {
                break;
            }
            Thread.sleep(500);
        }
        return count;
    }

    /** The mailboxes and the message rows per mailbox in the server's Derby database (read after it stopped). */
    private String databaseFigures() {
        try (Connection connection = DriverManager.getConnection("jdbc:derby:" + dir.resolve("var/derby"));
             Statement statement = connection.createStatement()) {
            StringBuilder figures = new StringBuilder();
            try (ResultSet mailboxes = statement.executeQuery(
                "SELECT MAILBOX_ID, USER_NAME, MAILBOX_NAME, MAILBOX_LAST_UID, MAILBOX_HIGHEST_MODSEQ FROM JAMES_MAILBOX")) {
                while (mailboxes.next()) {
                    figures.append(String.format("mailbox %d %s:%s last uid %d modseq %d; ", mailboxes.getLong(1), mailboxes.getString(2),
                        mailboxes.getString(3), mailboxes.getLong(4), mailboxes.getLong(5)));
                }
            }
            try (ResultSet rows = statement.executeQuery(
                "SELECT MAILBOX_ID, COUNT(*), COUNT(DISTINCT MAIL_UID), COUNT(DISTINCT MAIL_MODSEQ) FROM JAMES_MAIL GROUP BY MAILBOX_ID")) {
                while (rows.next()) {
                    figures.append(String.format("mailbox %d: %d rows, %d UIDs, %d mod-seqs; ", rows.getLong(1), rows.getLong(2),
                        rows.getLong(3), rows.getLong(4)));
                }
            }
            try (ResultSet rows = statement.executeQuery("SELECT MAIL_UID, MAIL_MODSEQ, HEADER_BYTES FROM JAMES_MAIL ORDER BY MAIL_UID")) {
                Set<String> subjects = new TreeSet<>();
                while (rows.next()) {
                    Matcher subject = SUBJECT.matcher(new String(rows.getBytes(3), StandardCharsets.US_ASCII));
                    String name = subject.find() ? subject.group(1) : "?";
                    if (!subjects.add(name)) {
                        figures.append("subject ").append(name).append(" twice; ");
                    }
                }
                figures.append("subjects in rows: ").append(subjects.size()).append("; ");
            }
            return figures.toString();
        } catch (SQLException e) {
            return "unreadable (" + e.getMessage() + ")";
        }
    }

    /** A base64 body in 76-character lines, the same for the same name. */
    private static String body(String name) {
        byte[] bytes = new byte[BODY_BYTES * 3 / 4];
        new Random(name.hashCode()).nextBytes(bytes);
        return Base64.getMimeEncoder(76, "\r\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(bytes) + "\r\n";
    }
}
