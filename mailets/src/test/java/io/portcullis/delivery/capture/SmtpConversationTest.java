package io.portcullis.delivery.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import io.portcullis.delivery.DeliveryAttempt;

class SmtpConversationTest {
    private static void server(SmtpConversation conversation, String... lines) {
        for (String line : lines) {
            conversation.serverLine((line + "\r").getBytes(StandardCharsets.UTF_8));
        }
    }

    private static void client(SmtpConversation conversation, String line) {
        conversation.clientLine((line + "\r").getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void successReplyShouldBeTheAnswerToTheMessageContent() {
        SmtpConversation conversation = new SmtpConversation("mail1", Instant.EPOCH);
        server(conversation, "220 corp ESMTP");
        client(conversation, "EHLO portcullis");
        server(conversation, "250-corp", "250 8BITMIME");
        client(conversation, "MAIL FROM:<a@b.test>");
        server(conversation, "250 2.1.0 Ok");
        client(conversation, "DATA");
        server(conversation, "354 End data with <CR><LF>.<CR><LF>");
        client(conversation, "Subject: 450 not a reply");
        client(conversation, ".");
        server(conversation, "250 2.0.0 Ok: queued as 4F2");
        client(conversation, "QUIT");
        server(conversation, "221 2.0.0 Bye");

        assertThat(conversation.successReply().orElseThrow().raw()).isEqualTo("250 2.0.0 Ok: queued as 4F2");
        assertThat(conversation.failureReply()).isEmpty();
        assertThat(conversation.tls()).isEqualTo(DeliveryAttempt.Tls.NO);
    }

    @Test
    void acceptedRecipientsShouldBeTheRcptCommandsAnswered2xx() {
        SmtpConversation conversation = new SmtpConversation("mail1", Instant.EPOCH);
        server(conversation, "220 corp ESMTP");
        client(conversation, "MAIL FROM:<a@b.test>");
        server(conversation, "250 2.1.0 Ok");
        client(conversation, "RCPT TO:<Bob@corp.test>");
        server(conversation, "250 2.1.5 Ok");
        client(conversation, "RCPT TO:<carol@corp.test> NOTIFY=NEVER");
        server(conversation, "550 5.1.1 unknown");
        client(conversation, "rcpt to:<dan@corp.test>");
        server(conversation, "250 2.1.5 Ok");

        assertThat(conversation.acceptedRecipients()).containsExactly("Bob@corp.test", "dan@corp.test");
    }

    @Test
    void failureReplyShouldBeTheLastTemporaryOrPermanentAnswer() {
        SmtpConversation conversation = new SmtpConversation("mail1", Instant.EPOCH);
        server(conversation, "220 corp ESMTP", "250 ok");
        client(conversation, "RCPT TO:<x@acme.test>");
        server(conversation, "450 4.3.0 Error: command failed");
        client(conversation, "RSET");
        server(conversation, "250 2.0.0 Ok", "221 Bye");

        assertThat(conversation.failureReply().orElseThrow().raw()).isEqualTo("450 4.3.0 Error: command failed");
    }

    @Test
    void tlsShouldBeSeenWhenStartTlsIsAccepted() {
        SmtpConversation conversation = new SmtpConversation("mail1", Instant.EPOCH);
        server(conversation, "220 corp ESMTP", "250-corp", "250 STARTTLS");
        client(conversation, "STARTTLS");
        server(conversation, "220 2.0.0 Ready to start TLS", "\u0016\u0003garbage");

        assertThat(conversation.tls()).isEqualTo(DeliveryAttempt.Tls.YES);
        assertThat(conversation.exchanges()).hasSize(3);
        assertThat(conversation.successReply().orElseThrow().code()).isEmpty();
        assertThat(conversation.successReply().orElseThrow().text()).contains("not observed");
    }

    @Test
    void failureReplyShouldBeTheConnectionErrorWhenNoServerAnswered() {
        SmtpConversation conversation = new SmtpConversation("mail1", Instant.EPOCH);
        conversation.connectFailed("127.0.0.1", "127.0.0.1", "Cannot connect to 127.0.0.1:1: Connection refused");

        assertThat(conversation.failureReply().orElseThrow().code()).isEmpty();
        assertThat(conversation.failureReply().orElseThrow().text()).contains("Connection refused");
    }
}
