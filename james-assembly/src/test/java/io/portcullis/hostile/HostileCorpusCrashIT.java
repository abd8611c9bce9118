package io.portcullis.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.portcullis.dns.TestDnsServer;
import io.portcullis.server.DistributionProcess;
import io.portcullis.server.PortcullisTestServer;

/**
 * Hostile mail and a crash together: a few hundred messages of the hostile corpus, taken evenly across the corpus,
 * are sent by several clients to the packaged distribution, which is killed with SIGKILL once about a third of
 * them got {@code 250}. After a restart on the same data, every message acknowledged before the kill must be
 * tracked and delivered (IMAP) or held (quarantine), and none may sit in the error repository.
 */
class HostileCorpusCrashIT {
    private static final String SENDER_DOMAIN = "corpus.example";
    private static final String DOMAIN = "acme.test";
    private static final String USER = "corpus@" + DOMAIN;
    private static final String PASSWORD = "corpus-Pass-1";
    private static final String POSTMASTER = "postmaster@" + DOMAIN;
    private static final int MESSAGES = 300;
    private static final int KILL_AFTER_ACKS = 100;

    @TempDir
    Path dir;

    @Test
    void everyHostileMessageAcknowledgedBeforeKill9ShouldBeTrackedAndDeliveredOrHeldAfterRestart() throws Exception {
        List<HostileMessage> corpus = new HostileCorpus(HostileCorpus.DEFAULT_SEED, SENDER_DOMAIN, USER).sample(MESSAGES);
        try (TestDnsServer dns = TestDnsServer.start().a(SENDER_DOMAIN, "192.0.2.20").a("corpus-client.remote.example", "127.0.0.1")) {
            DistributionProcess server = DistributionProcess.prepare(dir.resolve("home"), Map.of(
                "PORTCULLIS_DOMAIN", DOMAIN,
                "PORTCULLIS_POSTMASTER", POSTMASTER,
                "PORTCULLIS_CHECKS_DNS", "127.0.0.1:" + dns.port(),
                "PORTCULLIS_RELAY_NETWORKS", PortcullisTestServer.NO_RELAY_NETWORK,
                "PORTCULLIS_DNSBL_ZONES", "bl.test=60",
                "PORTCULLIS_URIBL_ZONES", "uribl.test=60"));
            try {
                server.start();
                for (String user : new String[] {USER, POSTMASTER}) {
                    server.webAdmin().body("{\"password\":\"" + PASSWORD + "\"}").put("/users/" + user).then().statusCode(204);
                }

                CorpusSender sender = new CorpusSender("127.0.0.1", server.port("SMTP"), USER);
                CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
                    try {
                        sender.sendAll(corpus, 4, Duration.ofMinutes(4));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                Instant deadline = Instant.now().plusSeconds(180);
                while (acknowledged(sender) < KILL_AFTER_ACKS && Instant.now().isBefore(deadline) && !sending.isDone()) {
                    Thread.sleep(5);
                }
                int ackedAtKill = acknowledged(sender);
                server.kill9();
                sending.get();
                Map<Integer, CorpusSender.Outcome> outcomes = Map.copyOf(sender.outcomes());
                Set<String> acknowledged = outcomes.values().stream().filter(CorpusSender.Outcome::acknowledged)
                    .map(o -> o.message().envelopeSender()).collect(Collectors.toSet());

                Duration restart = server.start();
                CorpusAudit audit = new CorpusAudit(server::webAdmin, server.port("IMAP"), USER, PASSWORD, SENDER_DOMAIN);
                Set<String> unsettled = audit.awaitSettled(acknowledged, Duration.ofMinutes(3));
                CorpusAudit.Verdict verdict = audit.verdict(outcomes, false);
                long portcullisErrorLines = Files.readAllLines(server.home().resolve("console.log"), StandardCharsets.ISO_8859_1).stream()
                    .filter(line -> line.contains("ERROR") && line.contains("io.portcullis")).count();

                String report = String.format("hostile corpus crash test: %d sent, %d acknowledged (%d when kill -9 hit), restart %d ms, %d unsettled%n%s"
                        + "console lines with ERROR from Portcullis classes: %d (kill -9 included)%n",
                    corpus.size(), acknowledged.size(), ackedAtKill, restart.toMillis(), unsettled.size(), verdict.describe(), portcullisErrorLines);
                System.out.print(report);
                Files.writeString(Path.of("target", "hostile-corpus-crash-result.txt"), report);

                assertThat(acknowledged.size()).isGreaterThanOrEqualTo(KILL_AFTER_ACKS);
                assertThat(verdict.lossesByKind()).as(report).isEmpty();
            } finally {
                server.stop();
            }
        }
    }

    private static int acknowledged(CorpusSender sender) {
        return (int) sender.outcomes().values().stream().filter(CorpusSender.Outcome::acknowledged).count();
    }
}
