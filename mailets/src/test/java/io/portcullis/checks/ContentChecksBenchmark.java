package io.portcullis.checks;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import javax.mail.Session;
import javax.mail.internet.MimeMessage;

import org.apache.mailet.base.test.FakeMail;

import io.portcullis.checks.BenchmarkCorpus.Kind;
import io.portcullis.dns.TestDnsServer;
import io.portcullis.scoring.Check;
import io.portcullis.scoring.Finding;
import io.portcullis.stalled.UnscannableDetector;

/**
 * A micro-harness (not a test, no JMH): runs the unscannable detection and the uribl, content and phishing
 * checks, in the order of the shipped flow, over the load mix ({@link BenchmarkCorpus}, 100 messages) for N rounds
 * after M warm-up rounds, each message parsed afresh from its bytes as the spool hands it over; prints the CPU time
 * (of this thread) and wall time per message of each stage, and a digest of every finding so that two runs can be
 * shown to score alike. It also times, in the same run, the derived content views (body text, links, link hosts,
 * link-text domains) of the regular-expression implementation kept in {@link ReferenceContent} against
 * {@link MessageContent}'s.
 *
 * <p>Run from the mailets directory after {@code mvn -o test-compile}, wrapped in the shared benchmark lock:
 * {@code flock /work/bench.lock java -cp target/test-classes:target/classes:$(cat target/cp.txt)
 * io.portcullis.checks.ContentChecksBenchmark [rounds] [warmups]} (cp.txt from {@code mvn -o dependency:build-classpath
 * -Dmdep.outputFile=target/cp.txt}).
 *
 * <p>Measured 2026-11-23 (2-core machine, JDK 17.0.15, 40 rounds after 15, CPU ms per message of the mix), before /
 * after the scanners: uribl 0.442 / 0.163, content 0.306 / 0.057, phishing 0.055 / 0.012, unscannable 0.132 / 0.132
 * (MIME multipart parsing, shared with the later checks), total 0.980 / 0.427; same findings digest; views in the same
 * run: regular expressions 0.554, MessageContent 0.131.
 */
public final class ContentChecksBenchmark {
    private static final String[] STAGES = {"unscannable", "parse", "uribl", "content", "phishing"};
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private ContentChecksBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        int warmups = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        File rules = new File(args.length > 2 ? args[2] : "../conf/content-rules.conf");
        List<Kind> schedule = BenchmarkCorpus.schedule();
        Map<Kind, byte[]> bytes = new EnumMap<>(Kind.class);
        for (Kind kind : Kind.values()) {
            bytes.put(kind, BenchmarkCorpus.message(kind));
        }
        Session session = Session.getInstance(new Properties());
        try (TestDnsServer server = TestDnsServer.start().a(BenchmarkCorpus.LISTED_DOMAIN + "." + BenchmarkCorpus.URIBL_ZONE, "127.0.0.2")) {
            UnscannableDetector detector = new UnscannableDetector();
            Check uribl = new UriblCheck(server.lookupService(), BlocklistZone.parseAll(List.of(BenchmarkCorpus.URIBL_ZONE + "=60"), 40), 20);
            Check content = ContentCheck.of(rules);
            Check phishing = new PhishingCheck(50, 40);
            Map<Kind, List<String>> findings = new EnumMap<>(Kind.class);
            long[] cpu = new long[STAGES.length];
            long[] wall = new long[STAGES.length];
            for (int round = 0; round < warmups + rounds; round++) {
                boolean measured = round >= warmups;
                for (Kind kind : schedule) {
                    MimeMessage message = new MimeMessage(session, new ByteArrayInputStream(bytes.get(kind)));
                    FakeMail mail = FakeMail.builder().name("m").mimeMessage(message).build();
                    List<String> found = new ArrayList<>();
                    for (int stage = 0; stage < STAGES.length; stage++) {
                        long cpuStart = THREADS.getCurrentThreadCpuTime();
                        long wallStart = System.nanoTime();
                        switch (stage) {
                            case 0 -> detector.inspect(message).forEach(f -> found.add("unscannable: " + f.reason()));
                            case 1 -> MessageContent.of(mail);
                            case 2 -> uribl.evaluate(mail).stream().map(Finding::describe).forEach(found::add);
                            case 3 -> content.evaluate(mail).stream().map(Finding::describe).forEach(found::add);
                            default -> phishing.evaluate(mail).stream().map(Finding::describe).forEach(found::add);
                        }
                        if (measured) {
                            wall[stage] += System.nanoTime() - wallStart;
                            cpu[stage] += THREADS.getCurrentThreadCpuTime() - cpuStart;
                        }
                    }
                    List<String> before = findings.putIfAbsent(kind, found);
                    if (before != null && !before.equals(found)) {
                        throw new IllegalStateException("findings of " + kind + " changed between rounds: " + before + " / " + found);
                    }
                }
            }
            int messages = rounds * schedule.size();
            System.out.printf("%d rounds x %d messages (after %d warm-up rounds), ms per message of the mix%n", rounds, schedule.size(), warmups);
            System.out.printf("%-12s %9s %9s%n", "stage", "cpu ms", "wall ms");
            long cpuTotal = 0;
            long wallTotal = 0;
            for (int stage = 0; stage < STAGES.length; stage++) {
                System.out.printf("%-12s %9.4f %9.4f%n", STAGES[stage], cpu[stage] / 1e6 / messages, wall[stage] / 1e6 / messages);
                cpuTotal += cpu[stage];
                wallTotal += wall[stage];
            }
            System.out.printf("%-12s %9.4f %9.4f%n", "total", cpuTotal / 1e6 / messages, wallTotal / 1e6 / messages);
            Map<Kind, List<String>> sorted = new TreeMap<>(findings);
            sorted.forEach((kind, list) -> System.out.println("findings " + kind + ": " + list));
            System.out.printf("findings digest %08x%n", sorted.toString().hashCode());
            views(session, bytes, schedule, rounds, warmups);
        }
    }

    /** The derived views alone, regular expressions (old) against MessageContent (new), on the same text parts. */
    private static void views(Session session, Map<Kind, byte[]> bytes, List<Kind> schedule, int rounds, int warmups) throws Exception {
        Map<Kind, List<MessageContent.TextPart>> parts = new EnumMap<>(Kind.class);
        for (Kind kind : Kind.values()) {
            parts.put(kind, MessageContent.parse(new MimeMessage(session, new ByteArrayInputStream(bytes.get(kind)))).texts());
        }
        long old = 0;
        long current = 0;
        long sink = 0;
        for (int round = 0; round < warmups + rounds; round++) {
            boolean measured = round >= warmups;
            for (Kind kind : schedule) {
                List<MessageContent.TextPart> texts = parts.get(kind);
                long start = THREADS.getCurrentThreadCpuTime();
                sink += ReferenceContent.bodyText(texts).length();
                List<MessageContent.Link> links = ReferenceContent.links(texts);
                sink += ReferenceContent.hosts(links).size();
                for (MessageContent.Link link : links) {
                    sink += ReferenceContent.domainInText(link.text()).isPresent() ? 1 : 0;
                }
                long middle = THREADS.getCurrentThreadCpuTime();
                MessageContent content = MessageContent.ofTexts(texts);
                sink += content.bodyText().length();
                sink += content.linkHosts().size();
                for (MessageContent.Link link : content.links()) {
                    sink += PhishingCheck.domainInText(link.text()).isPresent() ? 1 : 0;
                }
                long end = THREADS.getCurrentThreadCpuTime();
                if (measured) {
                    old += middle - start;
                    current += end - middle;
                }
            }
        }
        int messages = rounds * schedule.size();
        System.out.printf("views (body text, links, hosts, link-text domains) cpu ms per message: regex %.4f, MessageContent %.4f (%d)%n",
            old / 1e6 / messages, current / 1e6 / messages, sink % 10);
    }
}
