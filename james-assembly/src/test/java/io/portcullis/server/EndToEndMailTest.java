package io.portcullis.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.Reader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.commons.net.pop3.POP3Client;
import org.apache.commons.net.pop3.POP3MessageInfo;
import org.apache.james.utils.SMTPMessageSender;
import org.apache.james.utils.TestIMAPClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bundled server end to end with real protocol clients: WebAdmin to provision, SMTP in, IMAP and POP3
 * out; then a restart on the same working directory keeps domain, user and message.
 */
class EndToEndMailTest {
    private static final String DOMAIN = "acme.test";
    private static final String BOB = "bob@" + DOMAIN;
    private static final String PASSWORD = "s3cret-Pass";

    @TempDir
    Path dir;

    @Test
    void mailSentOverSmtpShouldBeReadableOverImapAndPop3AndSurviveARestart() throws Exception {
        PortcullisTestServer server = PortcullisTestServer.prepare(dir, Map.of()).start();
        try {
            server.addDomain(DOMAIN);
            server.addUser(BOB, PASSWORD);

            try (SMTPMessageSender smtp = new SMTPMessageSender("sender.example")) {
                smtp.connect("127.0.0.1", org.apache.james.util.Port.of(server.smtpPort()))
                    .sendMessageWithHeaders("alice@sender.example", BOB,
                        "From: alice@sender.example\r\nTo: " + BOB + "\r\nSubject: first mail\r\n\r\nHello Bob, from the Internet.\r\n");
            }

            try (TestIMAPClient imap = new TestIMAPClient()) {
                imap.connect("127.0.0.1", server.imapPort()).login(BOB, PASSWORD).select(TestIMAPClient.INBOX)
                    .awaitMessageCount(await().atMost(Duration.ofSeconds(30)), 1);
                assertThat(imap.readFirstMessage()).contains("Subject: first mail").contains("Hello Bob, from the Internet.");
            }

            assertThat(readFirstMessageOverPop3(server.pop3Port())).contains("Subject: first mail");
        } finally {
            server.stop();
        }

        PortcullisTestServer restarted = PortcullisTestServer.prepare(dir, Map.of()).start();
        try {
            assertThat(restarted.webAdmin().get("/domains").then().statusCode(200).extract().asString()).contains(DOMAIN);
            restarted.webAdmin().head("/users/" + BOB).then().statusCode(200);
            try (TestIMAPClient imap = new TestIMAPClient()) {
                imap.connect("127.0.0.1", restarted.imapPort()).login(BOB, PASSWORD).select(TestIMAPClient.INBOX);
                assertThat(imap.getMessageCount(TestIMAPClient.INBOX)).isEqualTo(1);
                assertThat(imap.readFirstMessage()).contains("Hello Bob, from the Internet.");
            }
        } finally {
            restarted.stop();
        }
    }

    private static String readFirstMessageOverPop3(int port) throws Exception {
        POP3Client pop3 = new POP3Client();
        pop3.connect("127.0.0.1", port);
        try {
            assertThat(pop3.login(BOB, PASSWORD)).isTrue();
            POP3MessageInfo[] messages = pop3.listMessages();
            assertThat(messages).hasSize(1);
            try (Reader reader = pop3.retrieveMessage(messages[0].number)) {
                return new BufferedReader(reader).lines().collect(Collectors.joining("\n"));
            }
        } finally {
            pop3.logout();
            pop3.disconnect();
        }
    }
}
