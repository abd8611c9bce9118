package io.portcullis.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerStartTest {
    @TempDir
    Path dir;

    @Test
    void serverShouldStartWithTheBundledConfiguration() throws Exception {
        try (PortcullisTestServer server = PortcullisTestServer.prepare(dir, Map.of()).start()) {
            String domains = server.webAdmin().get("/domains").then().statusCode(200).extract().asString();
            assertThat(domains).contains("portcullis.test");
        }
    }

    @Test
    void aDomainShouldBeUsableAtOnceAfterWebAdminAddsItAndGoneAtOnceAfterItRemovesIt() throws Exception {
        try (PortcullisTestServer server = PortcullisTestServer.prepare(dir, Map.of()).start()) {
            // The domain list caches answers: "absent" (asked here and by PUT /domains itself) must not outlive the add.
            server.webAdmin().get("/domains/fresh.test").then().statusCode(404);
            server.webAdmin().put("/domains/fresh.test").then().statusCode(204);
            server.webAdmin().body("{\"password\":\"fresh-Pass-1\"}").put("/users/u@fresh.test").then().statusCode(204);

            server.webAdmin().delete("/users/u@fresh.test").then().statusCode(204);
            server.webAdmin().delete("/domains/fresh.test").then().statusCode(204);
            server.webAdmin().body("{\"password\":\"fresh-Pass-1\"}").put("/users/v@fresh.test").then().statusCode(400);
        }
    }

    @Test
    void serverShouldRefuseToExposeWebAdminBeyondLoopbackOverPlainHttp() throws Exception {
        PortcullisTestServer server = PortcullisTestServer.prepare(dir, Map.of("PORTCULLIS_WEBADMIN_HOST", "0.0.0.0"));

        try (server) {
            assertThatThrownBy(server::start)
                .hasMessageContaining("WebAdmin would listen on 0.0.0.0 over plain HTTP");
        }
    }

    @Test
    void allDataShouldGoToTheConfiguredVarDirectory() throws Exception {
        Path data = dir.resolve("elsewhere");
        System.setProperty(DataDirectories.SYSTEM_PROPERTY, data.toString());
        try (PortcullisTestServer server = PortcullisTestServer.prepare(dir.resolve("home"), Map.of()).start()) {
            server.addDomain("data.test");
        } finally {
            System.clearProperty(DataDirectories.SYSTEM_PROPERTY);
        }

        assertThat(data.resolve("derby")).isDirectory();
        assertThat(data.resolve("store/activemq")).isDirectory();
        assertThat(dir.resolve("home/var")).doesNotExist();
    }
}
