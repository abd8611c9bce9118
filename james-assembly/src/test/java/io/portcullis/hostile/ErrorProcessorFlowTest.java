package io.portcullis.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.apache.james.utils.TestIMAPClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.portcullis.dns.TestDnsServer;
import io.portcullis.server.PortcullisTestServer;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/**
 * A mailet failure on the bundled server (a test configuration adds a mailet that throws for mail carrying
 * {@code X-Test-Fail}): the mail is kept in var/mail/error with its tracking event, the postmaster gets a notice
 * naming it without its content, and the (forged) sender gets nothing.
 */
class ErrorProcessorFlowTest {
    private static final String POSTMASTER = "postmaster@portcullis.test";
    private static final String POSTMASTER_PASSWORD = "pm-Pass-1";
    private static final String SECRET = "attacker-chosen-content-0451";

    @TempDir
    static Path dir;
    static TestDnsServer dns;
    static PortcullisTestServer server;

    @BeforeAll
    static void start() throws Exception {
        dns = TestDnsServer.start().a("remote.example", "192.0.2.10");
        server = PortcullisTestServer.prepareWithChecksDns(dir, dns.port(), PortcullisTestServer.NO_RELAY_NETWORK);
        Path conf = dir.resolve("conf").resolve("mailetcontainer.xml");
        String xml = Files.readString(conf);
        String failing = "<mailet match=\"HasHeader=X-Test-Fail\" class=\"" + FailingMailet.class.getName() + "\"/>\n";
        Files.writeString(conf, xml.replace("<mailet match=\"All\" class=\"PostmasterAlias\"/>", failing + "<mailet match=\"All\" class=\"PostmasterAlias\"/>"));
        server.start();
        server.addDomain("acme.test");
        server.addUser("bob@acme.test", "bob-Pass-1");
        server.addUser(POSTMASTER, POSTMASTER_PASSWORD);
    }

    @AfterAll
    static void stop() {
        server.stop();
        dns.close();
    }

    private static List<Object> errorRepository() {
        Response response = server.webAdmin().urlEncodingEnabled(false).get("/mailRepositories/var%2Fmail%2Ferror%2F/mails");
        return response.statusCode() == 404 ? List.of() : response.then().statusCode(200).extract().jsonPath().getList("$");
    }

    private static String postmastersFirstMessage() throws Exception {
        try (TestIMAPClient imap = new TestIMAPClient()) {
            imap.connect("127.0.0.1", server.imapPort()).login(POSTMASTER, POSTMASTER_PASSWORD).select(TestIMAPClient.INBOX);
            return imap.getMessageCount(TestIMAPClient.INBOX) == 0 ? null : imap.readFirstMessage();
        }
    }

    @Test
    void failedMailShouldBeKeptAndThePostmasterToldWithoutContentAndTheSenderNothing() throws Exception {
        String forged = "victim@sink.example";
        byte[] message = ("From: " + forged + "\r\nTo: bob@acme.test\r\nSubject: Re: " + SECRET + "\r\nX-Test-Fail: yes\r\n"
            + "Content-Type: text/plain\r\n\r\n" + SECRET + " in the body\r\n").getBytes(StandardCharsets.US_ASCII);

        assertThat(RawSmtp.send(server.smtpPort(), forged, "bob@acme.test", message)).startsWith("250");

        String notice = await().atMost(Duration.ofSeconds(60)).until(ErrorProcessorFlowTest::postmastersFirstMessage, m -> m != null);
        assertThat(errorRepository()).hasSize(1);
        JsonPath tracked = server.webAdmin().queryParam("sender", forged).get("/portcullis/tracking").then().statusCode(200).extract().jsonPath();
        assertThat(tracked.getInt("total")).isEqualTo(1);
        String trackingId = tracked.getString("messages[0].trackingId");
        List<String> events = server.webAdmin().get("/portcullis/tracking/" + trackingId).then().statusCode(200).extract().jsonPath().getList("events.type");
        assertThat(events).contains("RECEIVED_BY_MTA", "PLACED_IN_PROBLEM_AREA");
        assertThat(notice).contains(trackingId).contains("test failure of").contains("var/mail/error").doesNotContain(SECRET);
        Thread.sleep(3000);
        assertThat(server.webAdmin().queryParam("recipient", forged).get("/portcullis/tracking").then().statusCode(200)
            .extract().jsonPath().getInt("total")).as("nothing sent to the sender").isZero();
    }
}
