package io.portcullis.bench;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

import io.portcullis.bench.Gateway.SetUp;
import io.portcullis.delivery.DeliveryJournal;
import io.portcullis.dns.TestDnsServer;

/**
 * The gateway against James itself and against Postfix with rspamd, under load and faults. Every run starts the
 * packaged distribution as a separate process (built by {@code mvn -DskipTests package}), loads it over loopback SMTP,
 * and relays to a postfix smtp-sink; the checks' DNS is a loopback DNS server. Set-ups ({@code -Dsetups}, default
 * {@code peer,baseline,full}, measured in that order): peer = a private Postfix instance with rspamd as its milter
 * ({@link PeerMta}, DNS on the same loopback server, relaying to its own smtp-sink; needs root), baseline = James's plain
 * flow, full = the shipped Portcullis flow. Modes (first argument):
 * <ul>
 *   <li>{@code throughput} (default): each set-up, for each sessions count: maximum rate with smtp-source (messages/s
 *       accepted and processed = delivered or held), CPU per message (the peer's summed over its processes); then
 *       DATA-to-250 latency p50/p99 at half the set-up's highest processed rate with a paced client; peak RSS; ratios
 *       full / peer and full / baseline.</li>
 *   <li>{@code sizes}: each set-up, for each sessions count, 2 KB, 24 KB and 200 KB messages (the mix's clean kinds)
 *       one size at a time: processed/s, CPU per message and per KB.</li>
 *   <li>{@code soak}: the full flow at a fixed rate for {@code -Dminutes} (default 30): errors, memory trend (live heap
 *       after a forced GC every 5 minutes, RSS every 30 s), every message accounted for.</li>
 *   <li>{@code kill}: kill -9 of the full flow under load, restart: each 250-acknowledged message delivered or held
 *       exactly once, and the tracking store agrees.</li>
 *   <li>{@code sink4xx}: the sink answers 4xx for {@code -Doutage} seconds (default 60) under load, then recovers:
 *       everything delivered exactly once afterwards, the Pending log showed the wait.</li>
 *   <li>{@code faults}: kill then sink4xx. {@code all}: throughput, kill, sink4xx (soak only when asked).</li>
 * </ul>
 * System properties: messages (throughput 3000 per sessions count, sizes 1000 per size), sessions (a list, {@code 8,32};
 * soak measures its default rate at the first), setups, peerMilter (inet: rspamd's proxy on loopback TCP, as stock;
 * unix: on a Unix socket), latencySeconds (60), rate (soak/fault load, msg/s; soak
 * default: half the full flow's maximum measured first), minutes (30), heap (512m), profile (true: a flight recording
 * of the full flow, its hot spots printed). Output is also written to james-assembly/target/bench-results/.
 *
 * <pre>mvn -B -DskipTests package && mvn -B -Pbenchmark verify -DskipTests -Dbenchmark=GatewayLoadBenchmark -Dexec.args=throughput   # or sizes, soak, kill, sink4xx</pre>
 */
public final class GatewayLoadBenchmark {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private final Path work;
    private final TestDnsServer dns;
    private final String heap = System.getProperty("heap", "512m");
    private final boolean profile = Boolean.getBoolean("profile");
    private final List<String> verdicts = new ArrayList<>();

    private GatewayLoadBenchmark(Path work, TestDnsServer dns) {
        this.work = work;
        this.dns = dns;
    }

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "throughput";
        Path results = resultsDirectory();
        Path log = results.resolve("gateway-" + mode + "-" + LocalDateTime.now().format(STAMP) + ".txt");
        PrintStream console = System.out;
        try (OutputStream file = new FileOutputStream(log.toFile())) {
            System.setOut(new PrintStream(new Tee(console, file), true));
            PostfixTools.ensureInstalled();
            if ((mode.equals("throughput") || mode.equals("sizes") || mode.equals("all")) && setUps().contains(SetUp.PEER)) {
                PeerMta.ensureInstalled();
            }
            System.out.printf("Portcullis gateway load benchmark, mode %s, %s, %d cores, %s, %s%n", mode, Instant.now(),
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.name") + " " + System.getProperty("os.arch"), loadAverage());
            Path work = Files.createTempDirectory("portcullis-load");
            try (TestDnsServer dns = LoadMix.dns()) {
                GatewayLoadBenchmark bench = new GatewayLoadBenchmark(work, dns);
                switch (mode) {
                    case "throughput" -> bench.throughput();
                    case "sizes" -> bench.sizes();
                    case "soak" -> bench.soak();
                    case "kill" -> bench.kill();
                    case "sink4xx" -> bench.sink4xx();
                    case "faults" -> {
                        bench.kill();
                        bench.sink4xx();
                    }
                    case "all" -> {
                        bench.throughput();
                        bench.kill();
                        bench.sink4xx();
                    }
                    default -> throw new IllegalArgumentException("unknown mode '" + mode + "': throughput, sizes, soak, kill, sink4xx, faults, all");
                }
                System.out.println();
                System.out.println("Verdicts:");
                bench.verdicts.forEach(v -> System.out.println("  " + v));
            }
            System.out.println("Raw output: " + log.toAbsolutePath() + ", server homes under " + work);
        } finally {
            System.setOut(console);
        }
    }

    private static Path resultsDirectory() throws IOException {
        Path base = Files.isDirectory(Path.of("james-assembly")) ? Path.of("james-assembly", "target") : Path.of("target");
        return Files.createDirectories(base.resolve("bench-results"));
    }

    private void verdict(boolean ok, String text) {
        verdicts.add((ok ? "PASS " : "FAIL ") + text);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Throughput: peer, baseline and full.

    /** One maximum-rate measurement of a set-up at a number of sessions. */
    record Row(SetUp setUp, int sessions, int messages, double acceptedPerSecond, double processedPerSecond, long delivered, long held,
               long expectedHeld, double cpuMsPerMessage, double cores, int sourceFailures) {
    }

    /** DATA-to-250 latency of a set-up at a paced rate. */
    record Latency(double rate, int count, long p50Micros, long p99Micros, long maxMicros, long failures) {
    }

    /** What one set-up gave: a row per sessions count, the latency at half its highest processed rate, peak RSS. */
    record Measured(SetUp setUp, List<Row> rows, Latency latency, long peakRssMib) {
        Row at(int sessions) {
            return rows.stream().filter(r -> r.sessions == sessions).findFirst().orElseThrow();
        }

        double maxProcessedPerSecond() {
            return rows.stream().mapToDouble(Row::processedPerSecond).max().orElse(0);
        }
    }

    /** The set-ups of a run, property {@code setups} (default {@code peer,baseline,full}), in that order. */
    private static List<SetUp> setUps() {
        List<SetUp> setUps = new ArrayList<>();
        for (String name : System.getProperty("setups", "peer,baseline,full").split(",")) {
            try {
                setUps.add(SetUp.valueOf(name.trim().toUpperCase()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("setups: unknown set-up '" + name.trim() + "' (peer, baseline, full)");
            }
        }
        return setUps;
    }

    /** The numbers of concurrent smtp-source sessions, property {@code sessions} (default {@code 8,32}). */
    private static List<Integer> sessionsList() {
        List<Integer> list = new ArrayList<>();
        for (String value : System.getProperty("sessions", "8,32").split(",")) {
            try {
                int sessions = Integer.parseInt(value.trim());
                if (sessions < 1) {
                    throw new NumberFormatException();
                }
                list.add(sessions);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("sessions: '" + value.trim() + "' is not a positive number (e.g. -Dsessions=8,32)");
            }
        }
        return list;
    }

    private void throughput() throws Exception {
        int messages = Integer.getInteger("messages", 3000);
        List<Integer> sessionsList = sessionsList();
        Map<SetUp, Measured> results = new EnumMap<>(SetUp.class);
        for (SetUp setUp : setUps()) {
            results.put(setUp, measure(setUp, messages, sessionsList, true));
        }
        System.out.println();
        System.out.printf("%-9s %8s %8s %11s %12s %9s %7s %9s %6s%n", "set-up", "sessions", "messages", "accepted/s", "processed/s",
            "delivered", "held", "CPU ms/m", "cores");
        for (Measured m : results.values()) {
            for (Row row : m.rows) {
                System.out.printf("%-9s %8d %8d %11.1f %12.1f %9d %7d %9.2f %6.2f%n", row.setUp, row.sessions, row.messages,
                    row.acceptedPerSecond, row.processedPerSecond, row.delivered, row.held, row.cpuMsPerMessage, row.cores);
            }
        }
        System.out.println();
        System.out.printf("%-9s %10s %8s %8s %8s %8s %8s%n", "set-up", "@rate/s", "p50 ms", "p99 ms", "max ms", "failed", "RSS MiB");
        for (Measured m : results.values()) {
            System.out.printf("%-9s %10.1f %8.1f %8.1f %8.1f %8d %8d%n", m.setUp, m.latency.rate, m.latency.p50Micros / 1000.0,
                m.latency.p99Micros / 1000.0, m.latency.maxMicros / 1000.0, m.latency.failures, m.peakRssMib);
        }
        System.out.println("(CPU and RSS: the JVM for baseline and full; for the peer, the sum over Postfix's and rspamd's processes)");
        Measured peer = results.get(SetUp.PEER);
        Measured baseline = results.get(SetUp.BASELINE);
        Measured full = results.get(SetUp.FULL);
        for (int sessions : sessionsList) {
            if (full != null && baseline != null) {
                Row f = full.at(sessions);
                Row b = baseline.at(sessions);
                double processedRatio = f.processedPerSecond / b.processedPerSecond;
                double acceptedRatio = f.acceptedPerSecond / b.acceptedPerSecond;
                System.out.printf("%d sessions: full / baseline: accepted %.2f, processed %.2f (target >= 0.80); CPU per message %.2f%n",
                    sessions, acceptedRatio, processedRatio, f.cpuMsPerMessage / b.cpuMsPerMessage);
                verdict(processedRatio >= 0.8, String.format("%d sessions: throughput full/baseline %.2f (processed), %.2f (accepted) >= 0.80",
                    sessions, processedRatio, acceptedRatio));
            }
            if (full != null && peer != null) {
                Row f = full.at(sessions);
                Row p = peer.at(sessions);
                double processedRatio = f.processedPerSecond / p.processedPerSecond;
                double cpuRatio = f.cpuMsPerMessage / p.cpuMsPerMessage;
                System.out.printf("%d sessions: full / peer: accepted %.2f, processed %.2f (target >= 1.00); CPU per message %.2f (target <= 1.00)%n",
                    sessions, f.acceptedPerSecond / p.acceptedPerSecond, processedRatio, cpuRatio);
                verdict(processedRatio >= 1.0, String.format("%d sessions: throughput full/peer %.2f (processed) >= 1.00", sessions, processedRatio));
                verdict(cpuRatio <= 1.0, String.format("%d sessions: CPU per message full %.2f ms <= peer %.2f ms", sessions, f.cpuMsPerMessage,
                    p.cpuMsPerMessage));
            }
        }
        if (full != null) {
            verdict(full.latency.p99Micros < 50_000, String.format("full flow p99 %.1f ms at %.1f msg/s (half its maximum) < 50 ms",
                full.latency.p99Micros / 1000.0, full.latency.rate));
        }
        for (Measured m : results.values()) {
            if (m.setUp != SetUp.PEER) {
                verdict(m.peakRssMib < 1024, String.format("%s: peak RSS %d MiB < 1024 MiB", m.setUp, m.peakRssMib));
            }
            boolean clean = m.latency.failures == 0 && m.rows.stream().allMatch(r -> r.sourceFailures == 0);
            verdict(clean, m.setUp + ": no refused or failed SMTP transaction");
        }
    }

    private LoadTarget open(SetUp setUp, String javaOptions) throws Exception {
        Path home = Files.createTempDirectory(work, setUp.name().toLowerCase() + "-");
        if (setUp == SetUp.PEER) {
            PeerMta peer = PeerMta.prepare(home, dns);
            try {
                return peer.start();
            } catch (Exception e) {
                peer.close();
                throw e;
            }
        }
        Gateway gateway = Gateway.prepare(setUp, home, dns, javaOptions);
        try {
            return gateway.start();
        } catch (Exception e) {
            gateway.close();
            throw e;
        }
    }

    private static long expectedHeld(SetUp setUp, List<LoadMix.Kind> schedule) {
        return setUp == SetUp.BASELINE ? 0 : schedule.stream().filter(k -> k.held).count();
    }

    /**
     * One set-up, started once: a warm-up with the mix, then for each sessions count the maximum rate with
     * smtp-source (accepted/s, processed/s, CPU per message), then (when {@code latency}) DATA-to-250 at half the
     * highest processed rate measured.
     */
    private Measured measure(SetUp setUp, int messages, List<Integer> sessionsList, boolean latency) throws Exception {
        Map<LoadMix.Kind, Path> files = LoadMix.writeFiles(work.resolve("messages"));
        int batch = 20;
        String javaOptions = "-Xmx" + heap;
        Path recording = work.resolve(setUp.name().toLowerCase() + "-" + System.nanoTime() + ".jfr");
        boolean recorded = profile && setUp == SetUp.FULL;
        if (recorded) {
            javaOptions += " -XX:StartFlightRecording=filename=" + recording + ",settings=profile,dumponexit=true";
        }
        System.out.println();
        System.out.println("== " + setUp + ": starting " + (setUp == SetUp.PEER ? "Postfix with rspamd" : "the distribution"));
        List<Row> rows = new ArrayList<>();
        Latency measuredLatency = new Latency(0, 0, -1, -1, -1, 0);
        long peak;
        try (LoadTarget target = open(setUp, javaOptions)) {
            int warmup = Math.max(400, messages / 3);
            List<LoadMix.Kind> warm = LoadMix.schedule(warmup, 7);
            PostfixTools.SourceResult w = PostfixTools.source(target.smtpPort(), warm, files, sessionsList.get(0), batch);
            long accounted = warmup - w.failedMessagesAtMost();
            target.awaitAccounted(accounted, Duration.ofMinutes(10));
            System.out.printf("warm-up: %d messages, %.1f msg/s accepted%n", warmup, w.perSecond());
            for (int sessions : sessionsList) {
                List<LoadMix.Kind> schedule = LoadMix.schedule(messages, 11 + sessions);
                long expectedHeld = expectedHeld(setUp, schedule);
                long deliveredBefore = target.delivered();
                long heldBefore = target.held();
                double cpuBefore = target.cpuSeconds();
                Instant start = Instant.now();
                PostfixTools.SourceResult r = PostfixTools.source(target.smtpPort(), schedule, files, sessions, batch);
                Instant accepted = Instant.now();
                r.errors().forEach(e -> System.out.println("smtp-source: " + e));
                accounted += messages - r.failedMessagesAtMost();
                Instant done = target.awaitAccounted(accounted, Duration.ofMinutes(20));
                double cpu = target.cpuSeconds() - cpuBefore;
                long delivered = target.delivered() - deliveredBefore;
                long held = target.held() - heldBefore;
                double acceptedPerSecond = messages / seconds(start, accepted);
                double processedPerSecond = messages / seconds(start, done);
                System.out.printf("%d sessions, maximum rate: %d messages in %.1f s accepted (%.1f msg/s), all processed after %.1f s "
                    + "(%.1f msg/s): delivered %d, held %d (expected %d); CPU %.2f ms per message%n", sessions, messages,
                    seconds(start, accepted), acceptedPerSecond, seconds(start, done), processedPerSecond, delivered, held, expectedHeld,
                    cpu * 1000 / messages);
                verdict(held == expectedHeld, setUp + ", " + sessions + " sessions: held " + held + " = junk sent " + expectedHeld);
                rows.add(new Row(setUp, sessions, messages, acceptedPerSecond, processedPerSecond, delivered, held, expectedHeld,
                    cpu * 1000 / messages, cpu / seconds(start, done), r.failedBatches()));
            }
            if (latency) {
                double rate = rows.stream().mapToDouble(Row::processedPerSecond).max().orElse(10) / 2;
                int latencySeconds = Integer.getInteger("latencySeconds", 60);
                int count = (int) Math.max(50, rate * latencySeconds);
                PacedSmtpClient client = new PacedSmtpClient(target.smtpPort(), "lat-" + setUp.name().toLowerCase());
                PacedSmtpClient.Result result = client.run(LoadMix.schedule(count, 13), count, rate, 32);
                target.awaitAccounted(accounted + result.accepted().size(), Duration.ofMinutes(10));
                measuredLatency = new Latency(rate, count, result.percentileMicros(50), result.percentileMicros(99),
                    result.percentileMicros(100), result.failures());
                System.out.printf("half rate: %d messages at %.1f msg/s: p50 %.1f ms, p99 %.1f ms, max %.1f ms, %d failed%n",
                    count, rate, result.percentileMicros(50) / 1000.0, result.percentileMicros(99) / 1000.0,
                    result.percentileMicros(100) / 1000.0, result.failures());
                result.outcomes().stream().filter(o -> !o.accepted()).limit(5).forEach(o -> System.out.println("failed: " + o));
            }
            peak = target.peakRssMib();
            System.out.printf("peak RSS %d MiB; %s%n", peak, loadAverage());
            System.out.println(target.report());
        }
        if (recorded) {
            System.out.println(JfrHotSpots.summary(recording, 25));
        }
        return new Measured(setUp, rows, measuredLatency, peak);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Size sweep: CPU per message and per KB for one size at a time.

    record SizeRow(SetUp setUp, int sessions, LoadMix.Kind kind, double kb, int messages, double processedPerSecond,
                   double cpuMsPerMessage, int sourceFailures) {
        double cpuMsPerKb() {
            return cpuMsPerMessage / kb;
        }
    }

    /** The three sizes of the mix (2 KB text, 24 KB HTML, 200 KB with a PDF), one at a time, each set-up, each sessions count. */
    private void sizes() throws Exception {
        int messages = Integer.getInteger("messages", 1000);
        List<Integer> sessionsList = sessionsList();
        List<LoadMix.Kind> kinds = List.of(LoadMix.Kind.CLEAN_TEXT, LoadMix.Kind.CLEAN_HTML, LoadMix.Kind.CLEAN_ATTACHMENT);
        Map<LoadMix.Kind, Path> files = LoadMix.writeFiles(work.resolve("messages"));
        List<SizeRow> rows = new ArrayList<>();
        for (SetUp setUp : setUps()) {
            System.out.println();
            System.out.println("== SIZES, " + setUp + ": starting " + (setUp == SetUp.PEER ? "Postfix with rspamd" : "the distribution"));
            try (LoadTarget target = open(setUp, "-Xmx" + heap)) {
                int warmup = Math.max(400, messages / 3);
                PostfixTools.SourceResult w = PostfixTools.source(target.smtpPort(), LoadMix.schedule(warmup, 7), files, sessionsList.get(0), 20);
                long accounted = warmup - w.failedMessagesAtMost();
                target.awaitAccounted(accounted, Duration.ofMinutes(10));
                System.out.printf("warm-up: %d messages of the mix, %.1f msg/s accepted%n", warmup, w.perSecond());
                for (int sessions : sessionsList) {
                    for (LoadMix.Kind kind : kinds) {
                        double kb = LoadMix.message(kind, null).length() / 1024.0;
                        double cpuBefore = target.cpuSeconds();
                        Instant start = Instant.now();
                        PostfixTools.SourceResult r = PostfixTools.source(target.smtpPort(), Collections.nCopies(messages, kind), files, sessions, 20);
                        r.errors().forEach(e -> System.out.println("smtp-source: " + e));
                        accounted += messages - r.failedMessagesAtMost();
                        Instant done = target.awaitAccounted(accounted, Duration.ofMinutes(20));
                        double cpuMs = (target.cpuSeconds() - cpuBefore) * 1000 / messages;
                        SizeRow row = new SizeRow(setUp, sessions, kind, kb, messages, messages / seconds(start, done), cpuMs, r.failedBatches());
                        rows.add(row);
                        System.out.printf("%d sessions, %.0f KB (%s): %d messages, %.1f processed/s, CPU %.2f ms per message, %.3f ms per KB%n",
                            sessions, kb, kind, messages, row.processedPerSecond, cpuMs, row.cpuMsPerKb());
                    }
                }
                System.out.println(target.report());
                System.out.println(loadAverage());
            }
        }
        System.out.println();
        System.out.printf("%-9s %8s %7s %8s %12s %9s %9s%n", "set-up", "sessions", "KB", "messages", "processed/s", "CPU ms/m", "CPU ms/KB");
        for (SizeRow row : rows) {
            System.out.printf("%-9s %8d %7.1f %8d %12.1f %9.2f %9.3f%n", row.setUp, row.sessions, row.kb, row.messages, row.processedPerSecond,
                row.cpuMsPerMessage, row.cpuMsPerKb());
        }
        System.out.println("(CPU: the JVM for baseline and full; for the peer, the sum over Postfix's and rspamd's processes)");
        for (int sessions : sessionsList) {
            for (LoadMix.Kind kind : kinds) {
                SizeRow full = sizeRow(rows, SetUp.FULL, sessions, kind);
                for (SetUp other : List.of(SetUp.PEER, SetUp.BASELINE)) {
                    SizeRow o = sizeRow(rows, other, sessions, kind);
                    if (full != null && o != null) {
                        System.out.printf("%d sessions, %.0f KB: full / %s CPU per message %.2f, processed/s %.2f%n", sessions, full.kb,
                            other.name().toLowerCase(), full.cpuMsPerMessage / o.cpuMsPerMessage, full.processedPerSecond / o.processedPerSecond);
                    }
                }
            }
        }
        verdict(rows.stream().allMatch(r -> r.sourceFailures == 0), "sizes: no refused or failed SMTP transaction");
    }

    private static SizeRow sizeRow(List<SizeRow> rows, SetUp setUp, int sessions, LoadMix.Kind kind) {
        return rows.stream().filter(r -> r.setUp == setUp && r.sessions == sessions && r.kind == kind).findFirst().orElse(null);
    }

    /** The machine's load average (1, 5, 15 min), to tell a run on a busy machine from a quiet one. */
    private static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return "load average " + fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException | RuntimeException e) {
            return "load average unknown";
        }
    }

    private static double seconds(Instant from, Instant to) {
        return Duration.between(from, to).toNanos() / 1e9;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Soak.

    private void soak() throws Exception {
        int minutes = Integer.getInteger("minutes", 30);
        double rate = Double.parseDouble(System.getProperty("rate", "0"));
        if (rate <= 0) {
            Measured max = measure(SetUp.FULL, Integer.getInteger("messages", 2000), List.of(sessionsList().get(0)), false);
            rate = max.maxProcessedPerSecond() / 2;
        }
        int count = (int) (rate * minutes * 60);
        System.out.println();
        System.out.printf("== SOAK: full flow, %.1f msg/s for %d min (%d messages)%n", rate, minutes, count);
        try (Gateway gateway = Gateway.prepare(SetUp.FULL, work.resolve("soak"), dns, "-Xmx" + heap).start()) {
            long pid = gateway.server().pid();
            PacedSmtpClient client = new PacedSmtpClient(gateway.smtpPort(), "soak");
            double r = rate;
            CompletableFuture<PacedSmtpClient.Result> load = CompletableFuture.supplyAsync(() -> {
                try {
                    return client.run(LoadMix.schedule(1000, 17), count, r, 32);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            List<double[]> rss = new ArrayList<>();
            List<double[]> live = new ArrayList<>();
            Instant start = Instant.now();
            int tick = 0;
            while (!load.isDone()) {
                Thread.sleep(1000);
                if (++tick % 30 == 0) {
                    double minute = seconds(start, Instant.now()) / 60;
                    rss.add(new double[] {minute, ProcessStats.statusKib(pid, "VmRSS") / 1024.0});
                    if (tick % 300 == 0) {
                        long liveMib = liveHeapMib(pid);
                        live.add(new double[] {minute, liveMib});
                        System.out.printf("%5.1f min: RSS %.0f MiB, live heap after GC %d MiB, delivered %d, held %d%n",
                            minute, rss.get(rss.size() - 1)[1], liveMib, gateway.delivered(), gateway.held());
                    }
                }
            }
            PacedSmtpClient.Result result = load.get();
            long acked = result.accepted().size();
            gateway.awaitAccounted(acked, Duration.ofMinutes(15));
            Thread.sleep(5000);
            Map<String, Long> delivered = gateway.deliveredIds();
            Map<String, Long> held = gateway.heldIds();
            Accounting accounting = account(result, delivered, held);
            Tracking tracking = tracking(gateway, result);
            System.out.printf("sent %d, acknowledged %d, refused/failed %d; p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", result.outcomes().size(),
                acked, result.failures(), result.percentileMicros(50) / 1000.0, result.percentileMicros(99) / 1000.0, result.percentileMicros(100) / 1000.0);
            System.out.println("accounting: " + accounting);
            System.out.println("tracking: " + tracking);
            double rssSlope = slope(rss.subList(rss.size() / 3, rss.size()));
            System.out.printf("RSS: first %.0f MiB, last %.0f MiB, peak %d MiB, trend over the last two thirds %.2f MiB/min%n",
                rss.get(0)[1], rss.get(rss.size() - 1)[1], ProcessStats.statusKib(pid, "VmHWM") / 1024, rssSlope);
            StringBuilder liveLine = new StringBuilder("live heap after GC (MiB):");
            live.forEach(p -> liveLine.append(String.format(" %.0f@%.0fmin", p[1], p[0])));
            System.out.println(liveLine);
            List<String> errors = gateway.errorLines();
            System.out.printf("server log ERROR lines: %d, error repository: %d%n", errors.size(), gateway.errorRepositoryCount());
            errors.stream().limit(10).forEach(line -> System.out.println("  " + line));
            System.out.println(gateway.replyWait());
            verdict(result.failures() == 0 && errors.isEmpty() && gateway.errorRepositoryCount() == 0,
                "soak: no refused transaction (" + result.failures() + "), no ERROR log line (" + errors.size() + "), nothing in the error repository");
            verdict(accounting.exact(), "soak: every acknowledged message delivered or held exactly once (" + accounting + ")");
            verdict(tracking.agrees(), "soak: tracking agrees (" + tracking + ")");
            // The first minutes fill the caches (Derby's page cache, bin/portcullis: 16,000 pages): the trend that matters
            // is over the second half of the run.
            double[] middle = live.isEmpty() ? null : live.get((live.size() - 1) / 2);
            double[] end = live.isEmpty() ? null : live.get(live.size() - 1);
            boolean flat = live.size() < 3 || end[1] <= middle[1] * 1.1 + 16;
            verdict(flat, String.format("soak: no memory growth trend over the second half (live heap after GC %.0f MiB at %.0f min, %.0f MiB at %.0f min; +10 %% + 16 MiB allowed)",
                middle == null ? 0 : middle[1], middle == null ? 0 : middle[0], end == null ? 0 : end[1], end == null ? 0 : end[0]));
        }
    }

    private static long liveHeapMib(long pid) throws IOException, InterruptedException {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        run(jcmd, String.valueOf(pid), "GC.run");
        String info = run(jcmd, String.valueOf(pid), "GC.heap_info");
        Matcher m = Pattern.compile("used (\\d+)K").matcher(info);
        return m.find() ? Long.parseLong(m.group(1)) / 1024 : -1;
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes());
        process.waitFor();
        return out;
    }

    private static double slope(List<double[]> points) {
        if (points.size() < 2) {
            return 0;
        }
        double mx = points.stream().mapToDouble(p -> p[0]).average().orElse(0);
        double my = points.stream().mapToDouble(p -> p[1]).average().orElse(0);
        double num = 0;
        double den = 0;
        for (double[] p : points) {
            num += (p[0] - mx) * (p[1] - my);
            den += (p[0] - mx) * (p[0] - mx);
        }
        return den == 0 ? 0 : num / den;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Faults.

    private void kill() throws Exception {
        double rate = Double.parseDouble(System.getProperty("rate", "30"));
        int seconds = 60;
        System.out.println();
        System.out.printf("== KILL -9: full flow under %.1f msg/s for %d s, kill -9 after 20 s, restart%n", rate, seconds);
        try (Gateway gateway = Gateway.prepare(SetUp.FULL, work.resolve("kill"), dns, "-Xmx" + heap).start()) {
            PacedSmtpClient client = new PacedSmtpClient(gateway.smtpPort(), "kill");
            int count = (int) (rate * seconds);
            CompletableFuture<PacedSmtpClient.Result> load = CompletableFuture.supplyAsync(() -> {
                try {
                    return client.run(LoadMix.schedule(500, 19), count, rate, 32);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(20_000);
            long deliveredBefore = gateway.delivered();
            gateway.server().kill9();
            System.out.printf("killed -9 after 20 s (%d delivered so far); restarting%n", deliveredBefore);
            Duration restart = gateway.server().start();
            System.out.printf("restarted in %.1f s%n", restart.toMillis() / 1000.0);
            PacedSmtpClient.Result result = load.get();
            long acked = result.accepted().size();
            gateway.awaitAccounted(acked, Duration.ofMinutes(10));
            Thread.sleep(10_000);
            Accounting accounting = account(result, gateway.deliveredIds(), gateway.heldIds());
            Tracking tracking = tracking(gateway, result);
            System.out.printf("sent %d, acknowledged %d, refused/failed (server down) %d%n", result.outcomes().size(), acked, result.failures());
            System.out.println("accounting: " + accounting);
            System.out.println("tracking: " + tracking);
            System.out.println("after the restart: " + gateway.replyWait());
            Duplicates duplicates = duplicates(gateway, result, gateway.deliveredIds());
            if (accounting.duplicated() > 0) {
                System.out.println("duplicates: " + duplicates);
            }
            verdict(accounting.exact(), "kill -9: every acknowledged message delivered or held exactly once (" + accounting + ")");
            verdict(accounting.missing() == 0 && accounting.duplicated() == duplicates.flagged().size(),
                "kill -9: nothing lost, and every message delivered twice was cut off by the kill between the end of its content and "
                    + "the downstream's reply and is flagged so (" + duplicates.flagged().size() + " flagged, " + duplicates.unnoticed().size()
                    + " not flagged, " + duplicates.recorded().size() + " delivered again although recorded)");
            verdict(tracking.agrees(), "kill -9: tracking agrees (" + tracking + ")");
        }
    }

    private void sink4xx() throws Exception {
        double rate = Double.parseDouble(System.getProperty("rate", "30"));
        int outage = Integer.getInteger("outage", 60);
        System.out.println();
        System.out.printf("== SINK 4xx: the downstream answers 4xx to RCPT for %d s under %.1f msg/s, then recovers%n", outage, rate);
        try (Gateway gateway = Gateway.prepare(SetUp.FULL, work.resolve("sink4xx"), dns, "-Xmx" + heap).start("-r", "RCPT")) {
            PacedSmtpClient client = new PacedSmtpClient(gateway.smtpPort(), "outage");
            int count = (int) (rate * outage);
            Instant start = Instant.now();
            CompletableFuture<PacedSmtpClient.Result> load = CompletableFuture.supplyAsync(() -> {
                try {
                    return client.run(LoadMix.schedule(500, 23), count, rate, 32);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            int maxPending = 0;
            String lastError = "";
            while (seconds(start, Instant.now()) < outage) {
                Thread.sleep(5000);
                var pending = gateway.webAdmin("/portcullis/logs/pending");
                maxPending = Math.max(maxPending, pending.get("count").asInt());
                for (var message : pending.get("messages")) {
                    if (!message.path("lastError").isNull() && !message.path("lastError").asText().isEmpty()) {
                        lastError = message.path("lastError").asText();
                    }
                }
            }
            Map<String, Long> duringOutage = gateway.deliveredIds();
            long deliveredDuringOutage = duringOutage.values().stream().mapToLong(Long::longValue).sum();
            if (deliveredDuringOutage > 0) {
                System.out.println("delivered while the sink answered 4xx: " + duringOutage.keySet());
            }
            gateway.sink().stop();
            gateway.sink().start();
            Instant recovered = Instant.now();
            System.out.printf("outage over after %.0f s: Pending log peaked at %d messages, e.g. last error '%s'; %d delivered during the outage%n",
                seconds(start, recovered), maxPending, lastError, deliveredDuringOutage);
            PacedSmtpClient.Result result = load.get();
            long acked = result.accepted().size();
            Instant done = gateway.awaitAccounted(acked, Duration.ofMinutes(10));
            Thread.sleep(5000);
            int pendingAfter = gateway.webAdmin("/portcullis/logs/pending").get("count").asInt();
            Accounting accounting = account(result, gateway.deliveredIds(), gateway.heldIds());
            System.out.printf("all %d acknowledged messages delivered or held %.0f s after the sink recovered; Pending log now %d%n",
                acked, seconds(recovered, done), pendingAfter);
            System.out.println("accounting: " + accounting);
            List<String> errors = gateway.errorLines();
            System.out.printf("server log ERROR lines: %d, error repository: %d%n", errors.size(), gateway.errorRepositoryCount());
            errors.stream().limit(10).forEach(line -> System.out.println("  " + line));
            verdict(maxPending > 0 && deliveredDuringOutage == 0, "sink 4xx: nothing delivered during the outage, the Pending log showed "
                + maxPending + " waiting");
            verdict(accounting.exact() && pendingAfter == 0, "sink 4xx: everything delivered or held exactly once afterwards (" + accounting
                + "), Pending log empty (" + pendingAfter + ")");
            verdict(errors.isEmpty() && gateway.errorRepositoryCount() == 0, "sink 4xx: a downstream outage is normal operation: no ERROR log line ("
                + errors.size() + "), nothing in the error repository");
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Accounting.

    record Accounting(long acknowledged, long deliveredOnce, long heldOnce, long missing, long duplicated, long unacknowledgedDelivered,
                      List<String> examples) {
        boolean exact() {
            return missing == 0 && duplicated == 0 && deliveredOnce + heldOnce == acknowledged;
        }

        @Override
        public String toString() {
            return String.format("acknowledged %d = delivered once %d + held once %d; missing %d, duplicated %d; not acknowledged but delivered/held %d%s",
                acknowledged, deliveredOnce, heldOnce, missing, duplicated, unacknowledgedDelivered, examples.isEmpty() ? "" : " e.g. " + examples);
        }
    }

    private static Accounting account(PacedSmtpClient.Result result, Map<String, Long> delivered, Map<String, Long> held) {
        long deliveredOnce = 0;
        long heldOnce = 0;
        long missing = 0;
        long duplicated = 0;
        List<String> examples = new ArrayList<>();
        Set<String> acked = new HashSet<>();
        for (PacedSmtpClient.Outcome outcome : result.accepted()) {
            acked.add(outcome.id());
            long d = delivered.getOrDefault(outcome.id(), 0L);
            long h = held.getOrDefault(outcome.id(), 0L);
            if (d + h == 0) {
                missing++;
                if (examples.size() < 5) {
                    examples.add("missing " + outcome.id());
                }
            } else if (d + h > 1) {
                duplicated++;
                if (examples.size() < 5) {
                    examples.add(outcome.id() + " delivered " + d + " held " + h);
                }
            } else if (d == 1) {
                deliveredOnce++;
            } else {
                heldOnce++;
            }
        }
        Set<String> others = new HashSet<>(delivered.keySet());
        others.addAll(held.keySet());
        others.removeAll(acked);
        others.removeIf(id -> !id.startsWith(result.outcomes().isEmpty() ? "" : result.outcomes().get(0).id().replaceAll("-\\d+$", "")));
        return new Accounting(acked.size(), deliveredOnce, heldOnce, missing, duplicated, others.size(), examples);
    }

    /**
     * Why each message delivered more than once was: the Delivery log (written before RemoteDelivery acknowledges its
     * queue item, and read before a mail is delivered again) records one delivered attempt per delivery it saw. A
     * delivery the kill cut off between sending the end of its content and reading the downstream's 250 is one the
     * gateway cannot know the outcome of (the duplicate window every SMTP relay has, RFC 1047): after the restart it is
     * recorded as a deferred attempt that may have reached the downstream (flagged). A duplicate the Delivery log
     * neither records nor flags went unnoticed; a duplicate with every delivery recorded is a fault.
     */
    private static Duplicates duplicates(Gateway gateway, PacedSmtpClient.Result result, Map<String, Long> delivered) throws Exception {
        Map<String, String> trackingIds = new HashMap<>();
        trackingRecords(gateway).forEach((loadId, records) -> trackingIds.put(loadId, records.get(0).get("Tracking ID")));
        List<String> flagged = new ArrayList<>();
        List<String> unnoticed = new ArrayList<>();
        List<String> recorded = new ArrayList<>();
        for (PacedSmtpClient.Outcome outcome : result.accepted()) {
            long sink = delivered.getOrDefault(outcome.id(), 0L);
            if (sink < 2 || !trackingIds.containsKey(outcome.id())) {
                continue;
            }
            long attempts = 0;
            long cutOff = 0;
            try {
                for (var attempt : gateway.webAdmin("/portcullis/logs/delivery/" + trackingIds.get(outcome.id())).get("attempts")) {
                    if (attempt.path("outcome").asText().equals("delivered")) {
                        attempts++;
                    } else if (attempt.path("reply").asText().startsWith(DeliveryJournal.CUT_OFF_REPLY.substring(0, 40))) {
                        cutOff++;
                    }
                }
            } catch (IOException e) {
                // 404: no attempt recorded
            }
            String line = outcome.id() + " (" + sink + " at the sink, " + attempts + " recorded, " + cutOff + " flagged cut off)";
            (attempts >= sink ? recorded : attempts + cutOff >= sink ? flagged : unnoticed).add(line);
        }
        return new Duplicates(flagged, unnoticed, recorded);
    }

    record Duplicates(List<String> flagged, List<String> unnoticed, List<String> recorded) {
        @Override
        public String toString() {
            return flagged.size() + " cut off by the kill between the end of their content and the downstream's reply, flagged in the "
                + "Delivery log and tracking as possibly delivered twice " + flagged + "; " + unnoticed.size() + " cut off and not flagged "
                + unnoticed + "; " + recorded.size() + " delivered again although recorded " + recorded;
        }
    }

    record Tracking(long acknowledged, long oneRecord, long severalRecords, long noRecord, Map<String, Long> statuses, List<String> examples) {
        boolean agrees() {
            return oneRecord == acknowledged && statuses.keySet().stream().allMatch(s -> s.equals("delivered") || s.equals("held"));
        }
    }

    /** The tracking store's records (CSV export of today's accepted mail) by load id (Message-ID {@code <id@load.example>}). */
    private static Map<String, List<CSVRecord>> trackingRecords(Gateway gateway) throws Exception {
        String csv = gateway.webAdminText("/portcullis/tracking.csv?period=today&action=accepted");
        Map<String, List<CSVRecord>> byId = new HashMap<>();
        Pattern id = Pattern.compile("<?([^@<>]+)@load\\.example>?");
        for (CSVRecord record : CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).build().parse(new StringReader(csv))) {
            Matcher m = id.matcher(record.get("Message ID"));
            if (m.matches()) {
                byId.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(record);
            }
        }
        return byId;
    }

    /** The tracking store's view (CSV export of today's accepted mail) of every acknowledged message. */
    private static Tracking tracking(Gateway gateway, PacedSmtpClient.Result result) throws Exception {
        Map<String, List<String>> statusById = new HashMap<>();
        trackingRecords(gateway).forEach((loadId, records) -> statusById.put(loadId, records.stream().map(r -> r.get("Status")).toList()));
        long one = 0;
        long several = 0;
        long none = 0;
        Map<String, Long> statuses = new HashMap<>();
        List<String> examples = new ArrayList<>();
        for (PacedSmtpClient.Outcome outcome : result.accepted()) {
            List<String> found = statusById.getOrDefault(outcome.id(), List.of());
            if (found.isEmpty()) {
                none++;
                if (examples.size() < 5) {
                    examples.add("no record " + outcome.id());
                }
            } else if (found.size() > 1) {
                several++;
                if (examples.size() < 5) {
                    examples.add(outcome.id() + " " + found);
                }
            } else {
                one++;
                statuses.merge(found.get(0), 1L, Long::sum);
            }
        }
        return new Tracking(result.accepted().size(), one, several, none, statuses, examples);
    }

    /** Writes to two streams. */
    private static final class Tee extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        Tee(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int c) throws IOException {
            a.write(c);
            b.write(c);
        }

        @Override
        public void write(byte[] bytes, int off, int len) throws IOException {
            a.write(bytes, off, len);
            b.write(bytes, off, len);
        }

        @Override
        public void flush() throws IOException {
            a.flush();
            b.flush();
        }
    }
}
