package io.portcullis.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.james.utils.TestIMAPClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.restassured.RestAssured;

/**
 * Accepted mail is never lost: 300 messages are sent over SMTP by 4 concurrent clients to the packaged
 * distribution, which is killed with SIGKILL after about 120 of them got {@code 250}. After a restart on the
 * same data, every message that got {@code 250} must be in the mailbox (counted over IMAP).
 */
class CrashDurabilityIT {
    private static final int MESSAGES = 300;
    private static final int KILL_AFTER_ACKS = 120;
    private static final String DOMAIN = "crash.test";
    private static final String RCPT = "rcpt@" + DOMAIN;
    private static final String PASSWORD = "crash-Pass-1";
    private static final Pattern SUBJECT = Pattern.compile("Subject: (crash-\\d+)");

    @TempDir
    Path dir;

    @Test
    void everyMessageAcknowledgedWith250ShouldBeDeliveredAfterKill9() throws Exception {
        DistributionProcess server = DistributionProcess.prepare(dir.resolve("home"), Map.of("PORTCULLIS_DOMAIN", DOMAIN));
        Duration startup = server.start();
        long idleRss = server.rssKib();
        RestAssured.given().port(server.port("WEBADMIN")).baseUri("http://127.0.0.1").header("Authorization", server.authorization())
            .body("{\"password\":\"" + PASSWORD + "\"}").put("/users/" + RCPT).then().statusCode(204);

        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        ExecutorService senders = Executors.newFixedThreadPool(4);
        for (int t = 0; t < 4; t++) {
            senders.submit(() -> {
                int i;
                while ((i = next.getAndIncrement()) < MESSAGES) {
                    String subject = "crash-" + i;
                    try {
                        if (send(server.port("SMTP"), subject)) {
                            acknowledged.add(subject);
                        } else {
                            failures.incrementAndGet();
                        }
                    } catch (IOException e) {
                        failures.incrementAndGet();
                    }
                }
                return null;
            });
        }
        Instant deadline = Instant.now().plusSeconds(120);
        while (acknowledged.size() < KILL_AFTER_ACKS && Instant.now().isBefore(deadline)) {
            Thread.sleep(5);
        }
        int ackedAtKill = acknowledged.size();
        server.kill9();
        senders.shutdown();
        assertThat(senders.awaitTermination(120, TimeUnit.SECONDS)).isTrue();
        Set<String> ackedBeforeRestart = Set.copyOf(acknowledged);

        Duration restart = server.start();
        Set<String> delivered = new HashSet<>();
        int deliveredCount = 0;
        Instant waitUntil = Instant.now().plusSeconds(120);
        try (TestIMAPClient imap = new TestIMAPClient()) {
            imap.connect("127.0.0.1", server.port("IMAP")).login(RCPT, PASSWORD).select(TestIMAPClient.INBOX);
            while (Instant.now().isBefore(waitUntil)) {
                imap.select(TestIMAPClient.INBOX);
                long count = imap.getMessageCount(TestIMAPClient.INBOX);
                if (count > 0) {
                    String fetched = imap.sendCommand("FETCH 1:* (BODY.PEEK[HEADER.FIELDS (SUBJECT)])");
                    delivered.clear();
                    deliveredCount = 0;
                    Matcher matcher = SUBJECT.matcher(fetched);
                    while (matcher.find()) {
                        delivered.add(matcher.group(1));
                        deliveredCount++;
                    }
                }
                if (delivered.containsAll(ackedBeforeRestart)) {
                    break;
                }
                Thread.sleep(500);
            }
        } finally {
            server.stop();
        }

        String report = String.format("crash test: %d sent, %d acknowledged with 250 (%d when kill -9 hit), %d refused or cut off;"
                + " after restart %d distinct delivered (%d copies), %d acknowledged missing; start-up %d ms, restart %d ms, idle RSS %d MiB%n",
            MESSAGES, ackedBeforeRestart.size(), ackedAtKill, failures.get(), delivered.size(), deliveredCount,
            ackedBeforeRestart.stream().filter(s -> !delivered.contains(s)).count(),
            startup.toMillis(), restart.toMillis(), idleRss / 1024);
        System.out.print(report);
        Files.writeString(Path.of("target", "crash-test-result.txt"), report);

        assertThat(ackedBeforeRestart.size()).isGreaterThanOrEqualTo(KILL_AFTER_ACKS);
        assertThat(delivered).containsAll(ackedBeforeRestart);
    }

    /** One SMTP transaction on its own connection; true when DATA got 250. */
    private static boolean send(int port, String subject) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            socket.setSoTimeout(15000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = socket.getOutputStream();
            if (!reply(in).startsWith("220")) {
                return false;
            }
            for (String command : List.of("EHLO crash-client.example", "MAIL FROM:<sender@remote.example>", "RCPT TO:<" + RCPT + ">", "DATA")) {
                out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String reply = reply(in);
                if (!(reply.startsWith("250") || reply.startsWith("354"))) {
                    return false;
                }
            }
            String body = "From: sender@remote.example\r\nTo: " + RCPT + "\r\nSubject: " + subject + "\r\n\r\n"
                + "x".repeat(1500) + "\r\n.\r\n";
            out.write(body.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            boolean accepted = reply(in).startsWith("250");
            out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return accepted;
        }
    }

    private static String reply(BufferedReader in) throws IOException {
        String line;
        String last = "";
        while ((line = in.readLine()) != null) {
            last = line;
            if (line.length() < 4 || line.charAt(3) != '-') {
                break;
            }
        }
        if (line == null) {
            throw new IOException("connection closed");
        }
        return last;
    }
}
