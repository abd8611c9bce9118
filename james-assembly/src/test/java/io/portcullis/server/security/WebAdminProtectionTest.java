package io.portcullis.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.portcullis.server.PortcullisTestServer;
import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;

/**
 * WebAdmin of the bundled server against a browser on the gateway host and a local user without the token:
 * the admin token is required on loopback, a foreign Host or a cross-site request is refused.
 */
class WebAdminProtectionTest {
    @TempDir
    static Path dir;

    private static PortcullisTestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = PortcullisTestServer.prepare(dir.resolve("server"), Map.of(
            "PORTCULLIS_WEBADMIN_ALLOWED_HOSTS", "admin.gateway.test"));
        server.start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static RequestSpecification anonymous() {
        return RestAssured.given().baseUri("http://127.0.0.1").port(server.webAdminPort());
    }

    @Test
    void webAdminShouldAnswer401WhenNoTokenIsSent() {
        anonymous().get("/portcullis/quarantine").then().statusCode(401)
            .body("statusCode", equalTo(401)).body("type", equalTo("Unauthorized")).body("message", containsString("var/webadmin.token"));
        anonymous().get("/domains").then().statusCode(401);
    }

    @Test
    void webAdminShouldAnswer401WhenTheTokenIsWrong() {
        String token = server.adminToken();
        String wrong = (token.charAt(0) == 'A' ? "B" : "A") + token.substring(1);
        anonymous().header("Authorization", "Bearer " + wrong).get("/portcullis/quarantine").then().statusCode(401);
        anonymous().header("Authorization", "Bearer ").get("/portcullis/quarantine").then().statusCode(401);
        anonymous().header("Authorization", "Basic " + token).get("/portcullis/quarantine").then().statusCode(401);
    }

    @Test
    void webAdminShouldAnswerWhenTheTokenIsRight() {
        server.webAdmin().get("/portcullis/quarantine").then().statusCode(200);
        anonymous().header("Authorization", "Bearer " + server.adminToken()).get("/domains").then().statusCode(200);
    }

    @Test
    void webAdminShouldAnswer403WhenTheHostIsForeignEvenWithTheToken() {
        server.webAdmin().header("Host", "rebind.evil.example").get("/portcullis/quarantine").then().statusCode(403)
            .body("statusCode", equalTo(403)).body("type", equalTo("Forbidden")).body("message", containsString("rebind.evil.example"));
        server.webAdmin().header("Host", "rebind.evil.example:" + server.webAdminPort()).get("/domains").then().statusCode(403);
        server.webAdmin().header("Host", "127.0.0.1.evil.example").get("/domains").then().statusCode(403);
        anonymous().header("Host", "rebind.evil.example").get("/portcullis/quarantine").then().statusCode(403);
    }

    @Test
    void webAdminShouldAnswerWhenTheHostIsLoopbackOrListed() {
        for (String host : new String[] {"127.0.0.1", "localhost", "LOCALHOST:" + server.webAdminPort(), "[::1]", "[::1]:" + server.webAdminPort(),
            "admin.gateway.test", "admin.gateway.test:443"}) {
            server.webAdmin().header("Host", host).get("/domains").then().statusCode(200);
        }
    }

    @Test
    void webAdminShouldAnswer403WhenTheOriginIsCrossSiteEvenWithTheToken() {
        server.webAdmin().header("Origin", "http://evil.example").post("/portcullis/reports?recipient=bob@portcullis.test").then().statusCode(403)
            .body("type", equalTo("Forbidden")).body("message", containsString("evil.example"));
        server.webAdmin().header("Origin", "null").get("/portcullis/quarantine").then().statusCode(403);
        server.webAdmin().header("Origin", "http://localhost:" + (server.webAdminPort() + 1)).get("/domains").then().statusCode(403);
        server.webAdmin().header("Origin", "https://127.0.0.1:" + server.webAdminPort()).get("/domains").then().statusCode(403);
        server.webAdmin().header("Sec-Fetch-Site", "cross-site").get("/portcullis/quarantine").then().statusCode(403);
        server.webAdmin().header("Sec-Fetch-Site", "same-site").get("/portcullis/quarantine").then().statusCode(403);
    }

    @Test
    void webAdminShouldAnswerSameOriginRequestsWithTheToken() {
        server.webAdmin().header("Origin", "http://127.0.0.1:" + server.webAdminPort()).header("Sec-Fetch-Site", "same-origin")
            .get("/portcullis/quarantine").then().statusCode(200);
        server.webAdmin().header("Host", "localhost:" + server.webAdminPort()).header("Origin", "http://localhost:" + server.webAdminPort())
            .get("/domains").then().statusCode(200);
        server.webAdmin().header("Sec-Fetch-Site", "none").get("/domains").then().statusCode(200);
    }

    @Test
    void healthcheckShouldStayReachableWithoutTheToken() {
        anonymous().get("/healthcheck").then().statusCode(200);
    }

    @Test
    void reportActionLinksShouldStayReachableWithoutTheAdminToken() {
        int status = anonymous().queryParam("token", "not-a-real-link").get("/portcullis/public/report-action").then().extract().statusCode();

        assertThat(status).isNotIn(401, 403).isLessThan(500);
    }
}
