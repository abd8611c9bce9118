package io.portcullis.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk loses nothing. The packaged distribution runs with its {@code var/} on a small tmpfs and is sent
 * 200 KB messages for one local user over SMTP until it refuses; it is stopped, the filesystem is given room, and
 * after a restart every message acknowledged with {@code 250} must be in the mailbox, readable over IMAP with its
 * body intact, nothing may be in the error repository, and every refusal must be
 * {@code 452 4.3.1 Insufficient system storage} (the free-space thresholds are sized for the small filesystem).
 * Mounting needs root (CI runs as root); elsewhere the test is skipped with the reason. The number of rounds is
 * {@code -Ddiskfull.rounds=N} (default 3: the loss it guards against was intermittent).
 * <p>
 * {@code -Ddiskfull.unguarded=true} makes every second round unguarded instead (thresholds near zero, so that the
 * disk really fills: queue journal, mailbox database and repositories fail with {@code No space left on device});
 * it shows what the guard protects against and is not part of the build (see the storage ADR).
 */
class DiskFullIT {
    private static final String DOMAIN = "disk.test";
    private static final String RCPT = "rcpt@" + DOMAIN;
    private static final String PASSWORD = "disk-Pass-1";
    private static final int BODY_BYTES = 200 * 1024;
    private static final String TMPFS_SIZE = "72m";
    private static final String ROOMY_SIZE = "400m";
    private static final int MAX_MESSAGES = 1500;
    private static final int REFUSALS_TO_STOP = 6;
    private static final Pattern SUBJECT = Pattern.compile("Subject: (disk-\\d+-\\d+)");

    @TempDir
    Path dir;

    record RoundResult(int round, boolean guarded, int acknowledged, int refused, Map<String, Integer> refusalCodes, int found,
                       int intact, int errorRepository, List<String> missing, List<String> problems, String spool) {
        String line() {
            return String.format("round %d (%s): %d acknowledged, %d refused %s, %d found over IMAP (%d intact), %d in the error repository, "
                    + "spool after the check %s%s%s",
                round, guarded ? "guarded" : "unguarded", acknowledged, refused, refusalCodes, found, intact, errorRepository, spool,
                missing.isEmpty() ? "" : ", missing " + missing, problems.isEmpty() ? "" : ", IMAP problems " + problems);
        }
    }

    @Test
    void everyAcknowledgedMessageShouldSurviveAFullDiskAndTheRefusalsShouldBe452() throws Exception {
        assumeMountAllowed();
        int rounds = Integer.getInteger("diskfull.rounds", 3);
        List<RoundResult> results = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            results.add(round(round, !Boolean.getBoolean("diskfull.unguarded") || round % 2 == 1));
            System.out.println("disk full test: " + results.get(results.size() - 1).line());
        }
        StringBuilder report = new StringBuilder();
        results.forEach(r -> report.append(r.line()).append('\n'));
        Files.writeString(Path.of("target", "disk-full-test-result.txt"), report);

        for (RoundResult result : results) {
            assertThat(result.refused()).as(result.line()).isGreaterThan(0);
            assertThat(result.missing()).as(result.line()).isEmpty();
            assertThat(result.intact()).as(result.line()).isEqualTo(result.acknowledged());
            assertThat(result.errorRepository()).as(result.line()).isZero();
            assertThat(result.spool()).as(result.line()).contains("\"size\":0");
            assertThat(result.problems()).as(result.line()).isEmpty();
            if (result.guarded()) {
                assertThat(result.refusalCodes().keySet()).as(result.line()).containsOnly("452 4.3.1");
            } else {
                assertThat(result.refusalCodes().keySet()).as(result.line()).allMatch(code -> code.startsWith("4"));
            }
        }
    }

    private RoundResult round(int round, boolean guarded) throws Exception {
        Path var = dir.resolve("var-" + round);
        Files.createDirectories(var);
        run("mount", "-t", "tmpfs", "-o", "size=" + TMPFS_SIZE, "tmpfs", var.toString());
        try {
            Map<String, String> environment = new TreeMap<>(Map.of(
                "PORTCULLIS_DOMAIN", DOMAIN,
                "PORTCULLIS_VAR_DIR", var.toString(),
                "PORTCULLIS_MAX_MESSAGE_SIZE", "1024",
                "PORTCULLIS_STORAGE_RETRY_DELAY", "2s"));
            if (guarded) {
                environment.putAll(Map.of(
                    "PORTCULLIS_STORAGE_MIN_FREE", "12m",
                    "PORTCULLIS_STORAGE_SPOOL_MIN_FREE", "3m"));
            } else {
                environment.putAll(Map.of(
                    "PORTCULLIS_STORAGE_MIN_FREE", "64k",
                    "PORTCULLIS_STORAGE_SPOOL_MIN_FREE", "32k",
                    "PORTCULLIS_STORAGE_MESSAGE_SIZE_FACTOR", "0",
                    "PORTCULLIS_STORAGE_QUEUED_FACTOR", "0"));
            }
            DistributionProcess server = DistributionProcess.prepare(dir.resolve("home-" + round), environment);
            Set<String> acknowledged = ConcurrentHashMap.newKeySet();
            Map<String, Integer> codes = new ConcurrentHashMap<>();
            AtomicInteger refused = new AtomicInteger();
            try {
                server.start();
                server.webAdmin().body("{\"password\":\"" + PASSWORD + "\"}").put("/users/" + RCPT).then().statusCode(204);
                fill(server.port("SMTP"), round, acknowledged, codes, refused);
            } finally {
                server.stop();
            }
            run("mount", "-o", "remount,size=" + ROOMY_SIZE, var.toString());
            try {
                server.start();
                return verify(server, round, guarded, Set.copyOf(acknowledged), Map.copyOf(codes), refused.get(), var);
            } finally {
                server.stop();
                Path log = server.home().resolve("logs/portcullis.log");
                if (Files.exists(log)) {
                    Files.copy(log, Path.of("target", "disk-full-round-" + round + ".log"), StandardCopyOption.REPLACE_EXISTING);
                }
                // Derby reports its own storage errors there, not in the server's log
                Path derbyLog = server.home().resolve("logs/derby.log");
                if (Files.exists(derbyLog)) {
                    Files.copy(derbyLog, Path.of("target", "disk-full-round-" + round + "-derby.log"), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } finally {
            run("umount", "-l", var.toString());
        }
    }

    /** Two clients send until the server has refused {@value #REFUSALS_TO_STOP} messages. */
    private void fill(int port, int round, Set<String> acknowledged, Map<String, Integer> codes, AtomicInteger refused) throws Exception {
        AtomicInteger next = new AtomicInteger();
        AtomicBoolean done = new AtomicBoolean();
        ExecutorService senders = Executors.newFixedThreadPool(2);
        for (int t = 0; t < 2; t++) {
            senders.submit(() -> {
                int i;
                while (!done.get() && (i = next.getAndIncrement()) < MAX_MESSAGES) {
                    String subject = "disk-" + round + "-" + i;
                    try {
                        String result = send(port, subject, body(subject));
                        if (result.equals("250")) {
                            acknowledged.add(subject);
                        } else {
                            codes.merge(result, 1, Integer::sum);
                            if (refused.incrementAndGet() >= REFUSALS_TO_STOP) {
                                done.set(true);
                            } else {
                                Thread.sleep(200);
                            }
                        }
                    } catch (IOException e) {
                        codes.merge("connection: " + e.getMessage(), 1, Integer::sum);
                        refused.incrementAndGet();
                    }
                }
                return null;
            });
        }
        senders.shutdown();
        assertThat(senders.awaitTermination(5, TimeUnit.MINUTES)).isTrue();
    }

    private RoundResult verify(DistributionProcess server, int round, boolean guarded, Set<String> acknowledged, Map<String, Integer> codes,
                               int refused, Path var) throws Exception {
        Map<String, Boolean> found = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        Instant deadline = Instant.now().plusSeconds(120);
        try (Imap imap = new Imap(server.port("IMAP"))) {
            long count = 0;
            long stableSince = System.nanoTime();
            while (Instant.now().isBefore(deadline)) {
                long now = imap.count();
                if (now != count) {
                    count = now;
                    stableSince = System.nanoTime();
                } else if (count >= acknowledged.size() && System.nanoTime() - stableSince > Duration.ofSeconds(5).toNanos()) {
                    break;
                }
                Thread.sleep(500);
            }
            for (long i = 1; i <= count; i++) {
                List<String> parts = imap.fetch(i);
                Matcher subject = parts.isEmpty() ? null : SUBJECT.matcher(parts.get(0));
                if (subject != null && subject.find()) {
                    String name = subject.group(1);
                    boolean intact = parts.size() == 2 && parts.get(1).equals(body(name));
                    if (!intact) {
                        String expected = body(name);
                        String got = parts.size() == 2 ? parts.get(1) : "";
                        int offset = 0;
                        while (offset < Math.min(expected.length(), got.length()) && expected.charAt(offset) == got.charAt(offset)) {
                            offset++;
                        }
                        problems.add(String.format("message %d (%s): %d literals, body %d bytes, expected %d, first difference at %d",
                            i, name, parts.size(), got.length(), expected.length(), offset));
                    }
                    found.merge(name, intact, Boolean::logicalOr);
                } else {
                    problems.add(String.format("message %d: no subject in %s", i,
                        parts.stream().map(p -> p.length() > 120 ? p.substring(0, 120) + "…(" + p.length() + " bytes)" : p).toList()));
                }
            }
        }
        List<String> missing = acknowledged.stream().filter(s -> !found.containsKey(s)).sorted().toList();
        int intact = (int) acknowledged.stream().filter(s -> found.getOrDefault(s, false)).count();
        found.keySet().stream().filter(s -> !acknowledged.contains(s)).forEach(s -> problems.add(s + " found but not acknowledged"));
        String spool = server.webAdmin().get("/mailQueues/spool").then().extract().asString();
        return new RoundResult(round, guarded, acknowledged.size(), refused, new TreeMap<>(codes), found.size(), intact,
            errorRepositoryCount(var), missing, problems, spool);
    }

    /** A minimal IMAP client that reads literals byte for byte: a malformed FETCH response fails the check. */
    private static final class Imap implements AutoCloseable {
        private static final Pattern LITERAL = Pattern.compile("\\{(\\d+)\\}$");
        private static final Pattern EXISTS = Pattern.compile("^\\* (\\d+) EXISTS");
        private final Socket socket;
        private final BufferedInputStream in;
        private final OutputStream out;
        private int tag;

        Imap(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(60000);
            in = new BufferedInputStream(socket.getInputStream());
            out = socket.getOutputStream();
            line();
            command("LOGIN " + RCPT + " " + PASSWORD);
        }

        long count() throws IOException {
            long count = 0;
            for (String line : command("SELECT INBOX")) {
                Matcher exists = EXISTS.matcher(line);
                if (exists.find()) {
                    count = Long.parseLong(exists.group(1));
                }
            }
            return count;
        }

        /** The literals of the FETCH response: the Subject header field, then the body text. */
        List<String> fetch(long sequence) throws IOException {
            List<String> literals = new ArrayList<>();
            String id = "f" + (++tag);
            out.write((id + " FETCH " + sequence + " (BODY.PEEK[HEADER.FIELDS (SUBJECT)] BODY.PEEK[TEXT])\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            while (true) {
                String line = line();
                Matcher literal = LITERAL.matcher(line);
                if (literal.find()) {
                    literals.add(new String(in.readNBytes(Integer.parseInt(literal.group(1))), StandardCharsets.US_ASCII));
                    continue;
                }
                if (line.startsWith(id + " ")) {
                    if (!line.startsWith(id + " OK")) {
                        throw new IOException("FETCH " + sequence + " failed: " + line);
                    }
                    return literals;
                }
            }
        }

        private List<String> command(String command) throws IOException {
            String id = "c" + (++tag);
            out.write((id + " " + command + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            List<String> lines = new ArrayList<>();
            while (true) {
                String line = line();
                lines.add(line);
                if (line.startsWith(id + " ")) {
                    if (!line.startsWith(id + " OK")) {
                        throw new IOException(command + ": " + line);
                    }
                    return lines;
                }
            }
        }

        private String line() throws IOException {
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) != -1) {
                if (c == '\n') {
                    int length = line.length();
                    return length > 0 && line.charAt(length - 1) == '\r' ? line.substring(0, length - 1) : line.toString();
                }
                line.append((char) c);
            }
            throw new IOException("IMAP connection closed");
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static int errorRepositoryCount(Path var) throws IOException {
        Path error = var.resolve("mail/error");
        if (!Files.isDirectory(error)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(error)) {
            return (int) files.filter(f -> f.getFileName().toString().endsWith(".FileObjectStore")).count();
        }
    }

    /** A body of {@value #BODY_BYTES} bytes in 76-character lines, the same for the same subject. */
    private static String body(String subject) {
        byte[] bytes = new byte[BODY_BYTES * 3 / 4];
        new Random(subject.hashCode()).nextBytes(bytes);
        return Base64.getMimeEncoder().encodeToString(bytes) + "\r\n";
    }

    /** One SMTP transaction on its own connection: "250", or the refusal "code enhanced-code" (e.g. "452 4.3.1"). */
    private static String send(int port, String subject, String body) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            socket.setSoTimeout(60000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = socket.getOutputStream();
            String greeting = reply(in);
            if (!greeting.startsWith("220")) {
                return code(greeting);
            }
            for (String command : List.of("EHLO disk-client.example", "MAIL FROM:<sender@remote.example>", "RCPT TO:<" + RCPT + ">", "DATA")) {
                out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String reply = reply(in);
                if (!(reply.startsWith("250") || reply.startsWith("354"))) {
                    return code(reply);
                }
            }
            String message = "From: sender@remote.example\r\nTo: " + RCPT + "\r\nSubject: " + subject
                + "\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: 7bit\r\n\r\n" + body + ".\r\n";
            out.write(message.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String reply = reply(in);
            out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return reply.startsWith("250") ? "250" : code(reply);
        }
    }

    private static String code(String reply) {
        String[] words = reply.split(" ");
        return words.length > 1 && words[1].matches("\\d\\.\\d+\\.\\d+") ? words[0] + " " + words[1] : words[0];
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

    private void assumeMountAllowed() throws Exception {
        Path probe = dir.resolve("mount-probe");
        Files.createDirectories(probe);
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", probe.toString()).redirectErrorStream(true).start();
        String output = new String(mount.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        boolean mounted = mount.waitFor(30, TimeUnit.SECONDS) && mount.exitValue() == 0;
        Assumptions.assumeTrue(mounted, () -> "mounting a tmpfs is not allowed here (needs root, CI runs as root): " + output);
        run("umount", probe.toString());
    }

    private static void run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
        }
    }
}
