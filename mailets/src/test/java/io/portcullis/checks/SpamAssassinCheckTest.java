package io.portcullis.checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;

import javax.mail.MessagingException;

import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.mailet.base.test.FakeMail;
import org.junit.jupiter.api.Test;

import io.portcullis.dns.DnsConfiguration;
import io.portcullis.dns.DnsLookupService;
import io.portcullis.scoring.ScoreFilter;
import io.portcullis.scoring.ScoreFilters;
import io.portcullis.scoring.ScoreSheet;

/** The spamd client against a one-connection SPAMC/1.5 responder; {@link SpamdIntegrationTest} runs the real spamd. */
class SpamAssassinCheckTest {
    static final DnsLookupService DNS = new DnsLookupService(DnsConfiguration.systemDefault());

    /** Answers one connection with {@code answer}, keeping what the client sent. */
    static final class OneShotSpamd implements AutoCloseable {
        final ServerSocket server;
        final AtomicReference<String> request = new AtomicReference<>();
        final Thread thread;

        OneShotSpamd(String answer) throws Exception {
            server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            thread = new Thread(() -> {
                try (Socket socket = server.accept()) {
                    InputStream in = socket.getInputStream();
                    ByteArrayOutputStream received = new ByteArrayOutputStream();
                    in.transferTo(received);
                    request.set(received.toString(StandardCharsets.UTF_8));
                    socket.getOutputStream().write(answer.getBytes(StandardCharsets.UTF_8));
                } catch (Exception e) {
                    request.set("error " + e);
                }
            });
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws Exception {
            server.close();
            thread.join(2000);
        }
    }

    static FakeMail mail() throws MessagingException {
        return FakeMail.builder().name("m").sender("alice@sender.example").recipient("bob@portcullis.test")
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("offer").setText("buy now")).build();
    }

    @Test
    void serviceShouldMapTheSpamAssassinScoreToOurs() throws Exception {
        try (OneShotSpamd spamd = new OneShotSpamd("SPAMD/1.1 0 EX_OK\r\nContent-length: 24\r\nSpam: True ; 6.3 / 5.0\r\n\r\nBAYES_99,URIBL_BLACK\r\n")) {
            ScoreFilter filter = ScoreFilters.create(DNS, "check", "spamassassin", "port", String.valueOf(spamd.port()), "user", "bob");
            FakeMail mail = mail();

            filter.service(mail);

            assertThat(ScoreSheet.score(mail)).isEqualTo(126);
            assertThat(ScoreSheet.reasons(mail)).containsExactly("SpamAssassin scored 6.3 (its threshold 5.0; BAYES_99, URIBL_BLACK): +126");
            assertThat(ScoreSheet.rules(mail)).containsExactly("spam:spamassassin");
            spamd.thread.join(2000);
            assertThat(spamd.request.get()).startsWith("SYMBOLS SPAMC/1.5\r\nContent-length: ").contains("User: bob\r\n").contains("buy now");
        }
    }

    @Test
    void serviceShouldLowerTheScoreForAHamVerdictBelowZero() throws Exception {
        try (OneShotSpamd spamd = new OneShotSpamd("SPAMD/1.1 0 EX_OK\r\nSpam: False ; -1.9 / 5.0\r\n\r\nBAYES_00\r\n")) {
            FakeMail mail = mail();

            ScoreFilters.create(DNS, "check", "spamassassin", "port", String.valueOf(spamd.port()), "multiplier", "10").service(mail);

            assertThat(ScoreSheet.reasons(mail)).containsExactly("SpamAssassin scored -1.9 (its threshold 5.0; BAYES_00): -19");
        }
    }

    @Test
    void serviceShouldAddNothingForAZeroScore() throws Exception {
        try (OneShotSpamd spamd = new OneShotSpamd("SPAMD/1.1 0 EX_OK\r\nSpam: False ; 0.0 / 5.0\r\n\r\n\r\n")) {
            FakeMail mail = mail();

            ScoreFilters.create(DNS, "check", "spamassassin", "port", String.valueOf(spamd.port())).service(mail);

            assertThat(ScoreSheet.reasons(mail)).isEmpty();
        }
    }

    @Test
    void serviceShouldSaySpamdCouldNotBeQueriedWhenItAnswersAnError() throws Exception {
        try (OneShotSpamd spamd = new OneShotSpamd("SPAMD/1.0 76 Bad header line: (EOF)\r\n")) {
            FakeMail mail = mail();

            ScoreFilters.create(DNS, "check", "spamassassin", "port", String.valueOf(spamd.port())).service(mail);

            assertThat(ScoreSheet.reasons(mail)).containsExactly(
                "SpamAssassin at 127.0.0.1:" + spamd.port() + " could not be queried: spamd answered SPAMD/1.0 76 Bad header line: (EOF): +0");
            assertThat(ScoreSheet.rules(mail)).containsExactly("check:tempfail");
        }
    }

    @Test
    void serviceShouldSaySpamdCouldNotBeQueriedWhenNothingListens() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        FakeMail mail = mail();

        ScoreFilters.create(DNS, "check", "spamassassin", "port", String.valueOf(port)).service(mail);

        assertThat(ScoreSheet.reasons(mail)).containsExactly("SpamAssassin at 127.0.0.1:" + port + " could not be queried: connection refused: +0");
        assertThat(ScoreSheet.rules(mail)).containsExactly("check:tempfail");
    }

    @Test
    void serviceShouldNotSendMessagesAboveMaxSize() throws Exception {
        FakeMail mail = mail();

        ScoreFilters.create(DNS, "check", "spamassassin", "port", "1", "maxSize", "10").service(mail);

        assertThat(ScoreSheet.reasons(mail)).hasSize(1);
        assertThat(ScoreSheet.reasons(mail).get(0)).startsWith("message of ").endsWith(" not sent to SpamAssassin (limit 10 bytes): +0");
        assertThat(ScoreSheet.rules(mail)).containsExactly("check:skipped");
    }

    @Test
    void initShouldThrowWhenTheMultiplierIsNotANumber() {
        assertThatThrownBy(() -> ScoreFilters.create(DNS, "check", "spamassassin", "multiplier", "twenty"))
            .isInstanceOf(MessagingException.class)
            .hasMessageStartingWith("ScoreFilter: parameter 'multiplier' has invalid value 'twenty': expected a decimal number such as 20 or 12.5");
    }
}
