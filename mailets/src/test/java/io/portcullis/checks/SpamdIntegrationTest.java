package io.portcullis.checks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.mailet.base.test.FakeMail;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.portcullis.dns.DnsConfiguration;
import io.portcullis.dns.DnsLookupService;
import io.portcullis.scoring.ScoreFilter;
import io.portcullis.scoring.ScoreFilters;
import io.portcullis.scoring.ScoreSheet;
import io.portcullis.test.Peers;

/**
 * {@code check=spamassassin} against Debian's real spamd ({@code apt-get install spamd}), started here on a
 * free loopback port with local tests only ({@code -L}). When spamd is not installed each test is skipped with the
 * reason, or fails under {@code -Dportcullis.peers=required} ({@link Peers}).
 */
class SpamdIntegrationTest {
    static final Path SPAMD = Path.of("/usr/sbin/spamd");
    static final DnsLookupService DNS = new DnsLookupService(DnsConfiguration.systemDefault());
    static Process spamd;
    static int port;

    @BeforeAll
    static void startSpamd() throws Exception {
        if (!Files.isExecutable(SPAMD)) {
            return;
        }
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        List<String> command = new ArrayList<>(List.of(SPAMD.toString(), "--listen=127.0.0.1:" + port, "--max-children=1",
            "--min-children=1", "--nouser-config", "--local", "--syslog=stderr"));
        if ("root".equals(System.getProperty("user.name"))) {
            command.addAll(List.of("-u", "nobody"));
        }
        spamd = new ProcessBuilder(command).redirectErrorStream(true).start();
        CountDownLatch ready = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(spamd.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    if (line.contains("server successfully spawned child")) {
                        ready.countDown();
                    }
                }
            } catch (Exception e) {
                // spamd stopped
            }
        });
        reader.setDaemon(true);
        reader.start();
        assertThat(ready.await(60, TimeUnit.SECONDS)).as("spamd ready on port " + port).isTrue();
    }

    /** Each test, not the class, is skipped: a class-level skip is reported as no test at all. */
    @BeforeEach
    void requireSpamd() {
        Peers.require("spamd", spamd != null, "apt-get install spamd");
    }

    @AfterAll
    static void stopSpamd() throws Exception {
        if (spamd != null) {
            spamd.destroy();
            if (!spamd.waitFor(10, TimeUnit.SECONDS)) {
                spamd.destroyForcibly();
            }
        }
    }

    static FakeMail mail(String text) throws Exception {
        return FakeMail.builder().name("m").sender("alice@sender.example").recipient("bob@portcullis.test")
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().addFrom("alice@sender.example").addToRecipient("bob@portcullis.test")
                .addHeader("Date", "Mon, 23 Nov 2026 09:00:00 +0000").addHeader("Message-ID", "<m1@sender.example>")
                .setSubject("Minutes of the meeting").setText(text))
            .build();
    }

    @Test
    void serviceShouldScoreGtubeAsJunk() throws Exception {
        ScoreFilter filter = ScoreFilters.create(DNS, "check", "spamassassin", "port", String.valueOf(port));
        FakeMail mail = mail("XJS*C4JDBQADN1.NSBN3*2IDNEN*" + "GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X\n");

        filter.service(mail);

        assertThat(ScoreSheet.score(mail)).isGreaterThanOrEqualTo(100);
        assertThat(ScoreSheet.reasons(mail)).singleElement().asString().startsWith("SpamAssassin scored 10").contains("GTUBE");
        assertThat(ScoreSheet.rules(mail)).containsExactly("spam:spamassassin");
    }

    @Test
    void serviceShouldNotScoreAnOrdinaryMessageAsJunk() throws Exception {
        ScoreFilter filter = ScoreFilters.create(DNS, "check", "spamassassin", "port", String.valueOf(port));
        FakeMail mail = mail("Hello team,\n\nthe minutes of Tuesday's meeting are below.\n\nRegards,\nAlice\n");

        filter.service(mail);

        assertThat(ScoreSheet.score(mail)).isLessThan(60);
        assertThat(ScoreSheet.rules(mail)).doesNotContain("check:tempfail");
    }
}
