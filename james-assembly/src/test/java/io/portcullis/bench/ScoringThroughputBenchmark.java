package io.portcullis.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.james.utils.TestIMAPClient;

import io.portcullis.dns.TestDnsServer;
import io.portcullis.server.DistributionProcess;
import io.restassured.RestAssured;

/**
 * Throughput of the full filter chain against the same packaged server with the checks removed, in one run:
 * both set-ups are the distribution started by its script, loaded over loopback SMTP by the same client, the
 * checks' DNS answered by a loopback DNS server. Prints accepted and delivered messages per second, DATA-to-250
 * latency, and the ratio full / baseline (target at least 0.8).
 *
 * <pre>mvn -B -DskipTests package && mvn -B -Pbenchmark verify -DskipTests -Dbenchmark=ScoringThroughputBenchmark [-Dmessages=2000]</pre>
 */
public final class ScoringThroughputBenchmark {
    private static final String USER = "bench@bench.test";
    private static final String PASSWORD = "bench-Pass-1";
    private static final Pattern FILTER = Pattern.compile("<processor state=\"filter\".*?\n        </processor>", Pattern.DOTALL);

    public static void main(String[] args) throws Exception {
        int messages = Integer.getInteger("messages", 2000);
        int threads = Integer.getInteger("threads", 8);
        Path work = Files.createTempDirectory("portcullis-bench");
        try (TestDnsServer dns = TestDnsServer.start()
                .a("remote.example", "192.0.2.10").mx("remote.example", 10, "mx.remote.example").a("mx.remote.example", "192.0.2.10")
                .txt("remote.example", "v=spf1 ip4:127.0.0.1 -all")) {
            Map<String, String> environment = Map.of(
                "PORTCULLIS_CHECKS_DNS", "127.0.0.1:" + dns.port(),
                "PORTCULLIS_RELAY_NETWORKS", "192.0.2.1/32",
                "PORTCULLIS_DNSBL_ZONES", "bl.test=60, bl2.test=40",
                "PORTCULLIS_URIBL_ZONES", "uribl.test=60",
                "PORTCULLIS_DOMAIN", "bench.test");
            Row baseline = measure("baseline (no checks)", work.resolve("baseline"), environment, true, messages, threads);
            Row full = measure("full filter chain", work.resolve("full"), environment, false, messages, threads);
            System.out.println();
            System.out.printf("%-24s %10s %10s %10s %10s %10s%n", "set-up", "accepted/s", "deliver/s", "p50 ms", "p99 ms", "RSS MiB");
            for (Row row : new Row[] {baseline, full}) {
                System.out.printf("%-24s %10.1f %10.1f %10.1f %10.1f %10d%n", row.name, row.acceptedPerSecond, row.deliveredPerSecond,
                    row.p50Micros / 1000.0, row.p99Micros / 1000.0, row.rssMib);
            }
            System.out.printf("ratio full/baseline: accepted %.2f, delivered %.2f (target >= 0.80); %d messages, %d client threads%n",
                full.acceptedPerSecond / baseline.acceptedPerSecond, full.deliveredPerSecond / baseline.deliveredPerSecond, messages, threads);
        }
    }

    record Row(String name, double acceptedPerSecond, double deliveredPerSecond, long p50Micros, long p99Micros, long rssMib) {
    }

    private static Row measure(String name, Path home, Map<String, String> environment, boolean withoutChecks, int messages, int threads) throws Exception {
        DistributionProcess server = DistributionProcess.prepare(home, environment);
        if (withoutChecks) {
            Path mailetcontainer = home.resolve("conf/mailetcontainer.xml");
            Matcher matcher = FILTER.matcher(Files.readString(mailetcontainer));
            if (!matcher.find()) {
                throw new IllegalStateException("no filter processor in mailetcontainer.xml");
            }
            Files.writeString(mailetcontainer, matcher.replaceFirst(
                "<processor state=\"filter\" enableJmx=\"false\"><mailet match=\"All\" class=\"ToProcessor\"><processor>deliver</processor></mailet>\n        </processor>"));
        }
        try (server) {
            server.start();
            RestAssured.given().baseUri("http://127.0.0.1").port(server.port("WEBADMIN")).header("Authorization", server.authorization())
                .body("{\"password\":\"" + PASSWORD + "\"}").put("/users/" + USER).then().statusCode(204);
            int warmup = Math.max(100, messages / 10);
            SmtpLoad.run(server.port("SMTP"), threads, warmup, ScoringThroughputBenchmark::message);
            waitForMailbox(server, warmup, Duration.ofMinutes(5));

            Instant start = Instant.now();
            SmtpLoad.Result result = SmtpLoad.run(server.port("SMTP"), threads, messages, ScoringThroughputBenchmark::message);
            Instant allDelivered = waitForMailbox(server, warmup + result.accepted(), Duration.ofMinutes(10));
            long rss = server.rssKib() / 1024;
            double deliveredPerSecond = result.accepted() / (Duration.between(start, allDelivered).toNanos() / 1e9);
            return new Row(name, result.acceptedPerSecond(), deliveredPerSecond, result.percentileMicros(50), result.percentileMicros(99), rss);
        }
    }

    /** Waits until the mailbox holds {@code count} messages; returns when that was seen. */
    private static Instant waitForMailbox(DistributionProcess server, long count, Duration timeout) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        try (TestIMAPClient imap = new TestIMAPClient()) {
            imap.connect("127.0.0.1", server.port("IMAP")).login(USER, PASSWORD);
            while (Instant.now().isBefore(deadline)) {
                if (imap.getMessageCount(TestIMAPClient.INBOX) >= count) {
                    return Instant.now();
                }
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("mailbox did not reach " + count + " messages within " + timeout);
    }

    /** A mix of realistic messages: plain text, HTML with links, one with a small attachment. */
    static String[] message(int i) {
        String body;
        switch (i % 4) {
            case 0 -> body = "Content-Type: text/plain\r\n\r\n" + "Meeting notes line " + i + ". " + "Lorem ipsum dolor sit amet. ".repeat(70);
            case 1 -> body = "Content-Type: text/html\r\n\r\n<html><body><p>Newsletter " + i + "</p>"
                + "<a href=\"https://shop.remote.example/item/" + i + "\">shop.remote.example</a> " + "<p>Lorem ipsum dolor sit amet.</p>".repeat(60) + "</body></html>";
            case 2 -> body = "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nReport attached.\r\n"
                + "--b\r\nContent-Type: application/pdf; name=\"report.pdf\"\r\nContent-Disposition: attachment; filename=\"report.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + "JVBERi0xLjQKJcfsj6IK".repeat(200).replaceAll("(.{76})", "$1\r\n") + "\r\n--b--";
            default -> body = "Content-Type: text/plain\r\n\r\n" + "Quarterly figures attached below. ".repeat(60);
        }
        return new String[] {"sender" + (i % 50) + "@remote.example", USER,
            "From: sender" + (i % 50) + "@remote.example\r\nTo: " + USER + "\r\nSubject: bench " + i + "\r\nMessage-ID: <bench-" + i + "@remote.example>\r\n" + body};
    }

    private ScoringThroughputBenchmark() {
    }
}
