package io.portcullis.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.commons.net.smtp.SMTPClient;
import org.apache.commons.net.smtp.SMTPConnectionClosedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.portcullis.delivery.ScriptedSmtpServer.Reply;

/** The scripted downstream answers each command as told, over a real SMTP client. */
class ScriptedSmtpServerTest {
    private final ScriptedSmtpServer server = ScriptedSmtpServer.onFreePort();

    ScriptedSmtpServerTest() throws IOException {
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void serverShouldAcceptEverythingAndRecordTheTransactionWhenNotScripted() throws IOException {
        server.start();
        SMTPClient client = connect();
        assertThat(client.mail("<a@example.test>")).isEqualTo(250);
        assertThat(client.rcpt("<b@example.test>")).isEqualTo(250);
        assertThat(client.sendShortMessageData("Subject: hi\r\n\r\nHello.\r\n")).isTrue();
        client.disconnect();

        assertThat(server.received()).singleElement().satisfies(received -> {
            assertThat(received.sender()).isEqualTo("a@example.test");
            assertThat(received.recipients()).containsExactly("b@example.test");
            assertThat(received.content()).contains("Subject: hi");
        });
        assertThat(server.messages().get(0)).startsWith("MAIL FROM:<a@example.test>\r\nRCPT TO:<b@example.test>\r\n\r\nSubject: hi");
    }

    @Test
    void rcptShouldGetTheScriptedRepliesInTurnAndTheLastOneAfterwards() throws IOException {
        server.rcpt(Reply.reply(450, "4.3.0 Error: command failed"), Reply.reply(550, "5.1.1 No such user"), Reply.ok()).start();
        SMTPClient client = connect();
        client.mail("<a@example.test>");
        assertThat(client.rcpt("<one@example.test>")).isEqualTo(450);
        assertThat(client.getReplyString()).startsWith("450 4.3.0 Error: command failed");
        assertThat(client.rcpt("<two@example.test>")).isEqualTo(550);
        assertThat(client.rcpt("<three@example.test>")).isEqualTo(250);
        assertThat(client.rcpt("<four@example.test>")).isEqualTo(250);
        client.disconnect();
    }

    @Test
    void dataShouldBeRefusedAfterItsContentWasReadWhenScriptedSo() throws IOException {
        server.data(Reply.reply(554, "5.7.1 Rejected")).start();
        SMTPClient client = connect();
        client.mail("<a@example.test>");
        client.rcpt("<b@example.test>");
        assertThat(client.sendShortMessageData("Subject: refused\r\n\r\nNo.\r\n")).isFalse();
        assertThat(client.getReplyCode()).isEqualTo(554);
        client.disconnect();

        assertThat(server.received()).isEmpty();
        assertThat(server.contents()).singleElement().satisfies(content -> assertThat(content).contains("Subject: refused"));
    }

    @Test
    void aSilentReplyShouldNeverComeWhileTheServerRunsAndStopShouldDropTheConnection() throws Exception {
        server.data(Reply.silent()).start();
        SMTPClient client = connect();
        client.mail("<a@example.test>");
        client.rcpt("<b@example.test>");
        CompletableFuture<Boolean> sent = CompletableFuture.supplyAsync(() -> {
            try {
                return client.sendShortMessageData("Subject: unanswered\r\n\r\nWaiting.\r\n");
            } catch (IOException dropped) {
                return false;
            }
        });
        Thread.sleep(1_000);
        assertThat(server.contents()).hasSize(1);
        assertThat(sent).isNotDone();

        server.stop();
        assertThat(sent.get(10, TimeUnit.SECONDS)).isFalse();
        assertThat(server.received()).isEmpty();
    }

    @Test
    void aDelayedReplyShouldComeLateAndADropShouldCloseTheConnection() throws IOException {
        server.mail(Reply.after(Duration.ofMillis(500), Reply.ok()), Reply.drop(421, "4.3.2 Going away")).start();
        SMTPClient client = connect();
        long start = System.nanoTime();
        assertThat(client.mail("<a@example.test>")).isEqualTo(250);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(450));
        client.disconnect();

        SMTPClient second = connect();
        assertThatThrownBy(() -> second.mail("<a@example.test>")).isInstanceOf(SMTPConnectionClosedException.class)
            .hasMessageContaining("421");
        second.disconnect();
    }

    @Test
    void serverShouldStartAgainOnTheSamePortWithTheScriptReset() throws IOException {
        server.rcpt(Reply.reply(450, "4.3.0 Error: command failed")).start();
        server.stop();
        server.start();
        SMTPClient client = connect();
        client.mail("<a@example.test>");
        assertThat(client.rcpt("<b@example.test>")).isEqualTo(250);
        client.disconnect();
    }

    private SMTPClient connect() throws IOException {
        SMTPClient client = new SMTPClient();
        client.setDefaultTimeout(10_000);
        client.connect("127.0.0.1", server.port());
        client.setSoTimeout(10_000);
        client.helo("client.example");
        return client;
    }
}
