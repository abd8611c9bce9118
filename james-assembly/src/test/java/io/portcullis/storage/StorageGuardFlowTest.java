package io.portcullis.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.apache.commons.net.smtp.SMTPClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.portcullis.server.PortcullisTestServer;
import io.restassured.path.json.JsonPath;

/**
 * The free-space guard on the in-process server, with a threshold far above the free space of any disk: MAIL is
 * refused with {@code 452 4.3.1 Insufficient system storage}, the refusal is tracked as
 * {@code smtp:insufficientstorage}, and the health check reports the storage as degraded with the filesystem.
 */
class StorageGuardFlowTest {
    private static final String BOB = "bob@acme.test";

    @TempDir
    static Path dir;
    static PortcullisTestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = PortcullisTestServer.prepare(dir, Map.of("PORTCULLIS_STORAGE_MIN_FREE", "1048576g")).start();
        server.addDomain("acme.test");
        server.addUser(BOB, "bob-Pass-1");
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    @Test
    void mailShouldBeRefusedWith452AndTrackedWhenTheThresholdIsAboveTheFreeSpace() throws Exception {
        SMTPClient client = new SMTPClient();
        client.connect("127.0.0.1", server.smtpPort());
        try {
            client.helo("client.example");
            int code = client.mail("<alice@remote.example>");
            assertThat(code).isEqualTo(452);
            assertThat(client.getReplyString()).startsWith("452 4.3.1 Insufficient system storage");
        } finally {
            client.disconnect();
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonPath found = server.webAdmin().queryParam("rejectReason", "smtp:insufficientstorage").get("/portcullis/tracking")
                .then().statusCode(200).extract().jsonPath();
            assertThat(found.getInt("total")).isGreaterThanOrEqualTo(1);
            assertThat(found.getString("messages[0].sender")).isEqualTo("alice@remote.example");
        });
    }

    @Test
    void healthCheckShouldReportStorageDegradedWithTheFilesystemWhenSmtpRefuses() {
        JsonPath health = server.webAdmin().get("/healthcheck/checks/Storage").then().extract().jsonPath();
        assertThat(health.getString("status")).isEqualTo("degraded");
        assertThat(health.getString("cause")).contains("free").contains("needed").contains(dir.toString());
    }

    @Test
    void serverShouldRefuseToStartWhenAStorageSettingIsInvalid(@TempDir Path other) throws Exception {
        PortcullisTestServer bad = PortcullisTestServer.prepare(other, Map.of("PORTCULLIS_STORAGE_MIN_FREE", "lots"));
        try {
            assertThatThrownBy(bad::start).hasStackTraceContaining("storage.minFree").hasStackTraceContaining("'lots'");
        } finally {
            bad.stop();
        }
    }
}
