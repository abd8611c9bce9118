package io.portcullis.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.portcullis.dns.TestDnsServer;
import io.portcullis.server.DistributionProcess;

/**
 * One set-up of the load runs: the packaged distribution started by its script in its own home, relaying every
 * message of {@link LoadMix#RECIPIENT_DOMAIN} to a postfix smtp-sink on loopback.
 * <ul>
 *   <li>{@link SetUp#BASELINE}: James's plain flow ({@code bench/baseline-mailetcontainer.xml}: accept, spool,
 *       RemoteDelivery to the sink) and James's SMTP handlers only (the Portcullis handlers removed from
 *       smtpserver.xml);</li>
 *   <li>{@link SetUp#FULL}: the shipped configuration unchanged, in forward (spam-filter) mode: tracking, every
 *       cheap check (DNSBL, URIBL, sender domain, SPF, DKIM, DMARC, spoofing, content, attachments, phishing,
 *       size), quarantine for junk, relay to the sink with the Delivery and Pending logs.</li>
 * </ul>
 */
public final class Gateway implements LoadTarget {
    /** The set-ups of the load runs: the peer ({@link PeerMta}, not a Gateway), James's plain flow, the full flow. */
    public enum SetUp { PEER, BASELINE, FULL }

    private static final Pattern PORTCULLIS_HANDLER = Pattern.compile("\\s*<handler class=\"io\\.portcullis\\.[^\"]+\"(?:/>|>.*?</handler>)", Pattern.DOTALL);
    private static final Pattern MESSAGE_ID = Pattern.compile("(?im)^Message-ID: <([^@>]+)@load\\.example>");
    private static final Pattern SUBJECT_ID = Pattern.compile("\\[([^\\]]+)\\]");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SetUp setUp;
    private final DistributionProcess server;
    private final SmtpSink sink;
    private final HttpClient http = HttpClient.newHttpClient();

    private Gateway(SetUp setUp, DistributionProcess server, SmtpSink sink) {
        this.setUp = setUp;
        this.server = server;
        this.sink = sink;
    }

    /** Prepares the home and the sink (not started); {@code javaOptions} e.g. a heap size or a flight recording. */
    public static Gateway prepare(SetUp setUp, Path home, TestDnsServer dns, String javaOptions) throws IOException {
        if (setUp == SetUp.PEER) {
            throw new IllegalArgumentException("the peer set-up is a PeerMta, not the distribution");
        }
        int sinkPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            sinkPort = socket.getLocalPort();
        }
        Map<String, String> environment = new HashMap<>(LoadMix.checksEnvironment(dns));
        environment.put("PORTCULLIS_RELAY_NETWORKS", "192.0.2.1/32");
        environment.put("PORTCULLIS_DOMAIN", LoadMix.RECIPIENT_DOMAIN);
        environment.put("PORTCULLIS_DELIVERY_MODE", "forward");
        environment.put("PORTCULLIS_DOWNSTREAM", "127.0.0.1:" + sinkPort);
        environment.put("JAVA_OPTS", javaOptions);
        DistributionProcess server = DistributionProcess.prepare(home, environment);
        if (setUp == SetUp.BASELINE) {
            try (InputStream baseline = Gateway.class.getResourceAsStream("/bench/baseline-mailetcontainer.xml")) {
                Files.write(home.resolve("conf/mailetcontainer.xml"), baseline.readAllBytes());
            }
            Path smtpserver = home.resolve("conf/smtpserver.xml");
            String stripped = PORTCULLIS_HANDLER.matcher(Files.readString(smtpserver)).replaceAll("");
            if (stripped.contains("io.portcullis")) {
                throw new IllegalStateException("smtpserver.xml still names a Portcullis class after stripping the handlers");
            }
            Files.writeString(smtpserver, stripped);
        }
        return new Gateway(setUp, server, new SmtpSink(sinkPort));
    }

    public Gateway start(String... sinkOptions) throws Exception {
        sink.start(sinkOptions);
        server.start();
        return this;
    }

    public SetUp setUp() {
        return setUp;
    }

    public DistributionProcess server() {
        return server;
    }

    public SmtpSink sink() {
        return sink;
    }

    @Override
    public String name() {
        return setUp.name();
    }

    @Override
    public int smtpPort() {
        return server.port("SMTP");
    }

    @Override
    public long delivered() throws IOException {
        return sink.count();
    }

    /** Messages held in quarantine (0 for the baseline, which has none). */
    @Override
    public long held() throws IOException, InterruptedException {
        return setUp == SetUp.BASELINE ? 0 : webAdmin("/portcullis/quarantine?pageSize=1").get("total").asLong();
    }

    /**
     * Waits until delivered + held reaches {@code expected}; returns when it did. The sink's count is read every
     * 200 ms; the quarantine (a WebAdmin call the baseline does not get, so load on the measured server) once a
     * second, and every 200 ms only over the last tenth of the messages.
     */
    @Override
    public Instant awaitAccounted(long expected, Duration timeout) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        long held = 0;
        int polls = 0;
        while (Instant.now().isBefore(deadline)) {
            long delivered = delivered();
            if (polls++ % 5 == 0 || delivered + held >= expected * 0.9) {
                held = held();
            }
            if (delivered + held >= expected) {
                return Instant.now();
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(setUp + ": delivered " + delivered() + " + held " + held() + " did not reach " + expected
            + " within " + timeout);
    }

    public JsonNode webAdmin(String pathAndQuery) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port("WEBADMIN") + pathAndQuery))
            .header("Authorization", server.authorization()).timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + pathAndQuery + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    public String webAdminText(String pathAndQuery) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port("WEBADMIN") + pathAndQuery))
            .header("Authorization", server.authorization()).timeout(Duration.ofMinutes(5)).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (response.statusCode() != 200) {
            throw new IOException("GET " + pathAndQuery + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    /** How many times each load id (Message-ID {@code <id@load.example>}) reached the sink. */
    public Map<String, Long> deliveredIds() throws IOException {
        return sink.messages().stream().map(MESSAGE_ID::matcher).filter(Matcher::find).map(m -> m.group(1))
            .collect(Collectors.groupingBy(id -> id, Collectors.counting()));
    }

    /** How many times each load id (in the subject, {@code [id]}) is held in quarantine. */
    public Map<String, Long> heldIds() throws IOException, InterruptedException {
        Map<String, Long> held = new HashMap<>();
        if (setUp == SetUp.BASELINE) {
            return held;
        }
        for (int page = 1; ; page++) {
            JsonNode items = webAdmin("/portcullis/quarantine?pageSize=300&page=" + page).get("items");
            for (JsonNode item : items) {
                Matcher m = SUBJECT_ID.matcher(item.path("subject").asText(""));
                if (m.find()) {
                    held.merge(m.group(1), 1L, Long::sum);
                }
            }
            if (items.size() < 300) {
                return held;
            }
        }
    }

    /** Lines of the server's log at level ERROR (logback pattern of conf/logback.xml). */
    public List<String> errorLines() throws IOException {
        Path log = server.home().resolve("logs/portcullis.log");
        if (!Files.exists(log)) {
            return List.of();
        }
        try (Stream<String> lines = Files.lines(log, StandardCharsets.ISO_8859_1)) {
            return lines.filter(line -> line.contains(" ERROR ")).toList();
        }
    }

    /**
     * How long deliveries waited, from the end of their content leaving to the downstream's reply being read: the
     * window in which a crash makes the gateway deliver a message twice. Read from the pairs of sending and receipt
     * lines of the delivery journal (what its two files still hold: the last megabyte or two of deliveries).
     */
    public String replyWait() throws IOException {
        Path journal = server.home().resolve("var/portcullis-delivery-journal");
        if (!Files.isDirectory(journal)) {
            return "no delivery journal";
        }
        Map<String, Long> sending = new HashMap<>();
        List<Double> waits = new java.util.ArrayList<>();
        try (Stream<Path> files = Files.list(journal)) {
            for (Path file : files.sorted().toList()) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    JsonNode entry;
                    try {
                        entry = JSON.readTree(line);
                    } catch (IOException torn) {
                        continue;
                    }
                    if (entry == null || !entry.has("written")) {
                        continue;
                    }
                    if (entry.path("kind").asText().equals("sending")) {
                        sending.put(entry.path("id").asText(), entry.get("written").asLong());
                    } else if (entry.has("answers") && sending.containsKey(entry.get("answers").asText())) {
                        waits.add((entry.get("written").asLong() - sending.get(entry.get("answers").asText())) / 1000.0);
                    }
                }
            }
        }
        if (waits.isEmpty()) {
            return "no delivery in the journal";
        }
        java.util.Collections.sort(waits);
        int n = waits.size();
        return String.format("end of content sent to its reply read (the crash duplicate window), %d deliveries: p50 %.2f ms, "
            + "p99 %.2f ms, max %.2f ms, mean %.2f ms", n, waits.get(n / 2), waits.get(Math.min(n - 1, (int) (n * 0.99))), waits.get(n - 1),
            waits.stream().mapToDouble(Double::doubleValue).average().orElse(0));
    }

    /** Files in the error mail repository (mail a mailet failed on). */
    public long errorRepositoryCount() throws IOException {
        Path errors = server.home().resolve("var/mail/error");
        if (!Files.isDirectory(errors)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(errors)) {
            return files.filter(p -> p.toString().endsWith("FileObjectStore")).count();
        }
    }

    /** CPU seconds of the server's JVM. */
    @Override
    public double cpuSeconds() throws IOException {
        return ProcessStats.cpuSeconds(server.pid());
    }

    /** Peak resident memory of the server's JVM (VmHWM). */
    @Override
    public long peakRssMib() throws IOException {
        return ProcessStats.statusKib(server.pid(), "VmHWM") / 1024;
    }

    /** ERROR lines of the server's log and the error repository; for the full flow, the delivery journal's reply wait. */
    @Override
    public String report() throws IOException {
        List<String> errors = errorLines();
        StringBuilder text = new StringBuilder(String.format("server log ERROR lines: %d, error repository: %d", errors.size(), errorRepositoryCount()));
        errors.stream().limit(5).forEach(line -> text.append(System.lineSeparator()).append("  ").append(line));
        if (setUp == SetUp.FULL) {
            text.append(System.lineSeparator()).append(replyWait());
        }
        return text.toString();
    }

    @Override
    public void close() throws Exception {
        try {
            server.close();
        } finally {
            sink.close();
        }
    }
}
