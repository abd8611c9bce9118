package io.portcullis.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.apache.james.utils.TestIMAPClient;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.read.ListAppender;

import io.portcullis.dns.TestDnsServer;
import io.portcullis.server.PortcullisTestServer;

/**
 * The hostile corpus ({@link HostileCorpus}, over a thousand malformed or adversarial messages) sent over real
 * SMTP with a few parallel connections to the bundled server, shipped configuration, loopback seen as the
 * Internet. Nothing acknowledged with {@code 250} may be lost: each is tracked and delivered (IMAP) or held
 * (quarantine), none ends in the error repository, the server still answers afterwards, and no Portcullis
 * class logs an error. The SMTP and spool times are printed as figures (p50, p99, slowest), not asserted.
 */
class HostileCorpusFlowTest {
    static final String SENDER_DOMAIN = "corpus.example";
    private static final String USER = "corpus@acme.test";
    private static final String PASSWORD = "corpus-Pass-1";
    private static final String ALIVE = "alive@acme.test";
    private static final int CONNECTIONS = 4;

    @TempDir
    static Path dir;
    static TestDnsServer dns;
    static PortcullisTestServer server;
    static ListAppender<ILoggingEvent> errors;

    @BeforeAll
    static void start() throws Exception {
        dns = TestDnsServer.start().a(SENDER_DOMAIN, "192.0.2.20").a("corpus-client.remote.example", "127.0.0.1")
            .a("remote.example", "192.0.2.10");
        errors = new ListAppender<>();
        ThresholdFilter onlyErrors = new ThresholdFilter();
        onlyErrors.setLevel(Level.ERROR.levelStr);
        onlyErrors.start();
        errors.addFilter(onlyErrors);
        errors.start();
        server = PortcullisTestServer.prepareWithChecksDns(dir, dns.port(), PortcullisTestServer.NO_RELAY_NETWORK).start();
        // after the start: the server's own logging configuration resets the appenders of the root logger
        ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).addAppender(errors);
        server.addDomain("acme.test");
        server.addUser(USER, PASSWORD);
        server.addUser(ALIVE, PASSWORD);
        server.addUser("postmaster@portcullis.test", "pm-Pass-1");
    }

    @AfterAll
    static void stop() {
        ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).detachAppender(errors);
        server.stop();
        dns.close();
    }

    @Test
    void everyAcknowledgedHostileMessageShouldBeTrackedAndDeliveredOrHeldWithoutErrors() throws Exception {
        List<HostileMessage> corpus = new HostileCorpus(HostileCorpus.DEFAULT_SEED, SENDER_DOMAIN, USER).messages();
        assertThat(corpus).hasSizeGreaterThanOrEqualTo(1_000);

        Instant begin = Instant.now();
        CorpusSender sender = new CorpusSender("127.0.0.1", server.smtpPort(), USER);
        sender.sendAll(corpus, CONNECTIONS, Duration.ofMinutes(5));
        Duration sending = Duration.between(begin, Instant.now());
        Set<String> acknowledged = sender.outcomes().values().stream().filter(CorpusSender.Outcome::acknowledged)
            .map(o -> o.message().envelopeSender()).collect(Collectors.toSet());

        CorpusAudit audit = new CorpusAudit(server::webAdmin, server.imapPort(), USER, PASSWORD, SENDER_DOMAIN);
        Set<String> unsettled = audit.awaitSettled(acknowledged, Duration.ofMinutes(3));
        Duration settling = Duration.between(begin, Instant.now());
        CorpusAudit.Verdict verdict = audit.verdict(sender.outcomes(), true);
        List<String> portcullisErrors = portcullisErrors();

        String report = String.format("hostile corpus (seed %d): %d messages, %d families, %d acknowledged, sent in %d s, settled in %d s (%d unsettled)%n%s"
                + "errors logged by Portcullis classes: %d%s%n",
            HostileCorpus.DEFAULT_SEED, corpus.size(), corpus.stream().map(HostileMessage::family).distinct().count(), acknowledged.size(),
            sending.toSeconds(), settling.toSeconds(), unsettled.size(), verdict.describe(), portcullisErrors.size(),
            portcullisErrors.isEmpty() ? "" : "\n  " + String.join("\n  ", portcullisErrors));
        System.out.print(report);
        Files.writeString(Path.of("target", "hostile-corpus-result.txt"), report);

        assertServerStillAnswers();
        assertThat(sender.outcomes()).as("every message was sent").hasSize(corpus.size());
        assertThat(verdict.lossesByKind()).as(report).isEmpty();
        assertThat(portcullisErrors).as(report).isEmpty();
    }

    /**
     * A clean message after the corpus is still accepted and delivered, and WebAdmin answers. (A spool that leaves the
     * last message of a burst waiting until the next one arrives fails here; the failure says where the message is.)
     */
    private static void assertServerStillAnswers() throws Exception {
        String reply = RawSmtp.send(server.smtpPort(), "after@remote.example", ALIVE,
            ("From: after@remote.example\r\nTo: " + ALIVE + "\r\nSubject: still alive\r\n\r\nhello\r\n").getBytes(StandardCharsets.US_ASCII));
        assertThat(reply).as("the clean message after the corpus").startsWith("250");
        try {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                try (TestIMAPClient imap = new TestIMAPClient()) {
                    imap.connect("127.0.0.1", server.imapPort()).login(ALIVE, PASSWORD).select(TestIMAPClient.INBOX);
                    assertThat(imap.readFirstMessageHeaders()).contains("still alive");
                }
            });
        } catch (ConditionTimeoutException e) {
            String spool = server.webAdmin().get("/mailQueues/spool/mails").asString();
            String tracked = server.webAdmin().queryParam("recipient", ALIVE).get("/portcullis/tracking").asString();
            throw new AssertionError("the clean message after the corpus was not delivered within 60 s; its tracking: " + tracked
                + "; the spool queue: " + spool, e);
        }
        server.webAdmin().get("/domains").then().statusCode(200);
    }

    /** ERROR events logged by a Portcullis class, naming one (the mailet container's "Exception calling …") or carrying an exception thrown from one, grouped by message. */
    private static List<String> portcullisErrors() {
        Map<String, Integer> grouped = new TreeMap<>();
        for (ILoggingEvent event : List.copyOf(errors.list)) {
            if (event.getLevel().isGreaterOrEqual(Level.ERROR) && (event.getLoggerName().startsWith("io.portcullis")
                || event.getFormattedMessage().contains("io.portcullis") || fromPortcullis(event.getThrowableProxy()))) {
                String text = event.getLoggerName() + ": " + event.getFormattedMessage()
                    + (event.getThrowableProxy() == null ? "" : " / " + event.getThrowableProxy().getClassName() + ": " + event.getThrowableProxy().getMessage());
                String line = text.contains("\n") ? text.substring(0, text.indexOf('\n')) : text;
                grouped.merge(line.length() > 300 ? line.substring(0, 300) : line, 1, Integer::sum);
            }
        }
        return grouped.entrySet().stream().map(e -> e.getValue() + " × " + e.getKey()).collect(Collectors.toList());
    }

    private static boolean fromPortcullis(IThrowableProxy throwable) {
        for (IThrowableProxy t = throwable; t != null; t = t.getCause()) {
            for (StackTraceElementProxy frame : t.getStackTraceElementProxyArray()) {
                if (frame.getStackTraceElement().getClassName().startsWith("io.portcullis")) {
                    return true;
                }
            }
        }
        return false;
    }
}
