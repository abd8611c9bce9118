package io.portcullis.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.portcullis.dns.DnsConfiguration;
import io.portcullis.dns.DnsLookupService;

/**
 * The per-message scoring budget: a check that blocks (a DNS server that never answers, a content rule that
 * backtracks for ever) is stopped at the budget and the mail goes on with a "+0 ... took too long" reason; the checks
 * after it are not run; the pool of check threads stays bounded.
 */
class ScoringBudgetTest {
    private static final Duration BUDGET = Duration.ofSeconds(1);
    /** Far above the budget, far below what the blocking checks would take without it (the rule: hours). */
    private static final Duration BOUND = Duration.ofSeconds(8);

    @TempDir
    Path dir;

    private final CheckRunner runner = new CheckRunner(new ScoringBudget(BUDGET, 4));

    @AfterEach
    void close() {
        runner.close();
    }

    private static FakeMail mail(String body) throws Exception {
        return FakeMail.builder().name("m").sender("alice@sender.example").recipient("bob@portcullis.test").remoteAddr("192.0.2.7").size(5000)
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("budget").setText(body)).build();
    }

    private ScoreFilter filter(DnsLookupService dns, String... nameValues) throws Exception {
        return ScoreFilters.create(dns, dir, FakeMailContext.defaultContext(), runner, nameValues);
    }

    @Test
    void serviceShouldStopACheckWaitingForADnsServerThatNeverAnswersAtTheBudget() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            DnsLookupService dns = new DnsLookupService(DnsConfiguration.server("127.0.0.1", silent.getLocalPort(), Duration.ofSeconds(30)));
            ScoreFilter dnsbl = filter(dns, "check", "dnsbl", "zones", "bl.example");
            FakeMail mail = mail("hello");

            long start = System.nanoTime();
            assertTimeoutPreemptively(BOUND, () -> dnsbl.service(mail));
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertThat(ScoreSheet.reasons(mail)).containsExactly("check dnsbl took too long and was stopped (scoring budget 1s used up): +0");
            assertThat(ScoreSheet.rules(mail)).containsExactly(Finding.TEMPFAIL);
            assertThat(ScoreSheet.score(mail)).isZero();
            assertThat(tookMillis).isGreaterThanOrEqualTo(BUDGET.toMillis() - 50);
            assertThat(ScoreFilter.spentMillis(mail)).isGreaterThanOrEqualTo(BUDGET.toMillis() - 50);
            awaitNoneRunning();
        }
    }

    @Test
    void serviceShouldStopAContentRuleThatBacktracksForEverAndSkipTheChecksAfterIt() throws Exception {
        Files.createDirectories(dir.resolve("conf"));
        Files.write(dir.resolve("conf/slow-rules.conf"), List.of("content:slow 10 body regex (.*a){12}b"));
        ScoreFilter content = filter(null, "check", "content", "rules", "file://conf/slow-rules.conf");
        ScoreFilter size = filter(null, "check", "size", "maxSize", "1", "score", "5");
        FakeMail mail = mail("a".repeat(5_000));

        assertTimeoutPreemptively(BOUND, () -> {
            content.service(mail);
            size.service(mail);
        });

        assertThat(ScoreSheet.reasons(mail)).containsExactly(
            "check content took too long and was stopped (scoring budget 1s used up): +0",
            "check size was not run: the checks of this message took too long (scoring budget 1s used up): +0");
        assertThat(ScoreSheet.score(mail)).isZero();
        awaitNoneRunning();
    }

    @Test
    void serviceShouldRunChecksNormallyWithinTheBudget() throws Exception {
        ScoreFilter size = filter(null, "check", "size", "maxSize", "1", "score", "5");
        FakeMail mail = mail("small");

        size.service(mail);

        assertThat(ScoreSheet.score(mail)).isEqualTo(5);
        assertThat(ScoreSheet.rules(mail)).doesNotContain(Finding.TEMPFAIL);
        assertThat(runner.running()).isZero();
    }

    @Test
    void runShouldKeepTheSlotOfACheckThatIgnoresTheInterruptAndTimeOutWhenNoneIsFree() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (CheckRunner single = new CheckRunner(new ScoringBudget(BUDGET, 1))) {
            assertThatThrownBy(() -> single.run(() -> {
                while (release.getCount() > 0) {
                    Thread.onSpinWait(); // ignores the interrupt
                }
                return List.of();
            }, Duration.ofMillis(200))).isInstanceOf(TimeoutException.class);
            assertThat(single.running()).isEqualTo(1);

            assertThatThrownBy(() -> single.run(List::of, Duration.ofMillis(200))).isInstanceOf(TimeoutException.class)
                .hasMessage(CheckRunner.NO_FREE_THREAD);

            release.countDown();
            long deadline = System.nanoTime() + BOUND.toNanos();
            while (single.running() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(single.run(() -> List.of(Finding.couldNotRun("ran")), Duration.ofSeconds(5))).hasSize(1);
            assertThat(single.running()).isZero();
        }
    }

    @Test
    void fromShouldReadTheBudgetAndThreadsOfPortcullisProperties() {
        Properties properties = new Properties();
        properties.setProperty("scoring.budget", "1500ms");
        properties.setProperty("scoring.threads", "8");

        assertThat(ScoringBudget.from(properties)).isEqualTo(new ScoringBudget(Duration.ofMillis(1500), 8));
        assertThat(ScoringBudget.from(new Properties())).isEqualTo(new ScoringBudget(Duration.ofSeconds(20), 64));
    }

    @Test
    void fromShouldThrowNamingTheKeyWhenAValueIsBad() {
        Properties budget = new Properties();
        budget.setProperty("scoring.budget", "forever");
        Properties threads = new Properties();
        threads.setProperty("scoring.threads", "0");

        assertThatThrownBy(() -> ScoringBudget.from(budget)).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("portcullis.properties: scoring.budget has invalid value 'forever': expected a duration from 100ms to 10m such as 20s");
        assertThatThrownBy(() -> ScoringBudget.from(threads)).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("portcullis.properties: scoring.threads has invalid value '0': expected an integer from 1 to 1000");
    }

    /** The stopped check gave its thread back: it was interrupted, not left running. */
    private void awaitNoneRunning() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (runner.running() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(runner.running()).as("checks still running after they were stopped").isZero();
    }
}
