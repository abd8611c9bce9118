package io.portcullis.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;

import org.apache.commons.net.smtp.AuthenticatingSMTPClient;
import org.apache.commons.net.smtp.SMTPReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No open relay: with loopback outside the relay networks, a client that is not authenticated can only send
 * to our own users, on the inbound port and on submission; an authenticated user may relay.
 */
class NoOpenRelayTest {
    @TempDir
    static Path dir;
    static PortcullisTestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = PortcullisTestServer.prepare(dir, Map.of("PORTCULLIS_RELAY_NETWORKS", "192.0.2.0/24")).start();
        server.addDomain("acme.test");
        server.addUser("bob@acme.test", "bob-Pass-1");
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    private static int rcptReply(int port, String from, String to, boolean authenticate) throws Exception {
        AuthenticatingSMTPClient client = new AuthenticatingSMTPClient();
        client.connect("127.0.0.1", port);
        try {
            client.ehlo("client.example");
            if (authenticate) {
                assertThat(client.auth(AuthenticatingSMTPClient.AUTH_METHOD.PLAIN, "bob@acme.test", "bob-Pass-1")).isTrue();
            }
            assertThat(client.mail("<" + from + ">")).isEqualTo(SMTPReply.ACTION_OK);
            return client.rcpt("<" + to + ">");
        } finally {
            client.disconnect();
        }
    }

    @Test
    void outsiderShouldNotRelayToAForeignDomainOnTheInboundPort() throws Exception {
        assertThat(rcptReply(server.smtpPort(), "spammer@evil.example", "victim@elsewhere.example", false)).isGreaterThanOrEqualTo(500);
    }

    @Test
    void outsiderShouldNotRelayThroughSubmissionWithoutAuthentication() throws Exception {
        assertThat(rcptReply(server.submissionPort(), "spammer@evil.example", "victim@elsewhere.example", false)).isGreaterThanOrEqualTo(500);
    }

    @Test
    void outsiderShouldReachALocalUser() throws Exception {
        assertThat(rcptReply(server.smtpPort(), "friend@remote.example", "bob@acme.test", false)).isEqualTo(SMTPReply.ACTION_OK);
    }

    @Test
    void outsiderShouldBeToldAnUnknownLocalUserDoesNotExist() throws Exception {
        assertThat(rcptReply(server.smtpPort(), "friend@remote.example", "nobody@acme.test", false)).isEqualTo(550);
    }

    @Test
    void authenticatedUserShouldRelayThroughSubmission() throws Exception {
        assertThat(rcptReply(server.submissionPort(), "bob@acme.test", "someone@elsewhere.example", true)).isEqualTo(SMTPReply.ACTION_OK);
    }
}
