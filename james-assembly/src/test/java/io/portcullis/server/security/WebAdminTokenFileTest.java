package io.portcullis.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.portcullis.server.PortcullisTestServer;
import io.restassured.RestAssured;

/** The admin token file of the bundled server: created owner-only at the first start, kept across restarts. */
class WebAdminTokenFileTest {
    @TempDir
    Path dir;

    @Test
    void tokenFileShouldBeOwnerOnlyAndSurviveARestartUnchanged() throws Exception {
        PortcullisTestServer restarted = PortcullisTestServer.prepare(dir.resolve("restart"), Map.of());
        try (restarted) {
            restarted.start();
            Path file = restarted.tokenFile();
            String token = Files.readString(file).strip();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            assertThat(token).matches("[A-Za-z0-9_-]{43}");
            restarted.webAdmin().get("/domains").then().statusCode(200);

            restarted.stop();
            restarted.start();

            assertThat(Files.readString(file).strip()).isEqualTo(token);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            RestAssured.given().baseUri("http://127.0.0.1").port(restarted.webAdminPort()).header("Authorization", "Bearer " + token)
                .get("/domains").then().statusCode(200);
        }
    }

    @Test
    void serverShouldRefuseToStartWhenTheTokenFileIsReadableByOthers() throws Exception {
        PortcullisTestServer refused = PortcullisTestServer.prepare(dir.resolve("loose"), Map.of());
        Path file = refused.tokenFile();
        Files.createDirectories(file.getParent());
        Files.writeString(file, "A".repeat(43) + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        try (refused) {
            assertThatThrownBy(refused::start).hasStackTraceContaining("chmod 600");
        }
    }
}
