package io.portcullis.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.james.util.Port;
import org.apache.james.utils.SMTPMessageSender;
import org.apache.james.utils.TestIMAPClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.restassured.RestAssured;

/**
 * The drop-in case: a stock James 3.8.1 (the memory application as published on Maven Central, no
 * Portcullis on its class path) loads portcullis-mailets and portcullis-matchers, with their non-James
 * dependencies, from extensions-jars/, and a message passes through a Portcullis mailet and matcher named
 * in full in its mailetcontainer.xml; the tracking Guice module listed in its extensions.properties records the
 * message, and the tracking route listed in its webadmin.properties finds it.
 */
class DropInIT {
    @TempDir
    Path dir;

    @Test
    void stockJamesShouldRunPortcullisMailetsFromExtensionsJars() throws Exception {
        Path home = dir.resolve("stock");
        Path lib = home.resolve("lib");
        Files.createDirectories(lib);
        stockJamesInto(lib);
        assertThat(Files.list(lib).map(p -> p.getFileName().toString())).noneMatch(name -> name.startsWith("portcullis"));

        Path extensions = Files.createDirectories(home.resolve("extensions-jars"));
        Files.copy(Path.of(System.getProperty("portcullis.mailets.jar")), extensions.resolve("portcullis-mailets.jar"));
        Files.copy(Path.of(System.getProperty("portcullis.matchers.jar")), extensions.resolve("portcullis-matchers.jar"));
        try (var dependencies = Files.list(Path.of(System.getProperty("portcullis.extension.dependencies")))) {
            for (Path jar : (Iterable<Path>) dependencies::iterator) {
                Files.copy(jar, extensions.resolve(jar.getFileName()));
            }
        }
        Path conf = Files.createDirectories(home.resolve("conf"));
        Path stockConf = Path.of(System.getProperty("portcullis.stock.pom")).getParent().resolve("conf");
        try (var files = Files.list(stockConf)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.copy(file, conf.resolve(file.getFileName()));
            }
        }

        int smtp = freePort();
        int imap = freePort();
        int webadmin = freePort();
        ProcessBuilder builder = new ProcessBuilder(javaBinary(), "-Xmx384m",
            "-Dworking.directory=" + home, "-cp", lib + "/*", "org.apache.james.MemoryJamesServerMain")
            .directory(home.toFile())
            .redirectErrorStream(true)
            .redirectOutput(home.resolve("console.log").toFile());
        builder.environment().putAll(Map.of("STOCK_SMTP_PORT", String.valueOf(smtp), "STOCK_IMAP_PORT", String.valueOf(imap),
            "STOCK_WEBADMIN_PORT", String.valueOf(webadmin)));
        Process james = builder.start();
        try {
            waitForWebAdmin(james, webadmin, home);
            RestAssured.given().baseUri("http://127.0.0.1").port(webadmin)
                .body("{\"password\":\"dropin-Pass\"}").put("/users/carol@stock.test").then().statusCode(204);

            try (SMTPMessageSender sender = new SMTPMessageSender("outside.example")) {
                sender.connect("127.0.0.1", Port.of(smtp)).sendMessageWithHeaders("dave@outside.example", "carol@stock.test",
                    "From: dave@outside.example\r\nTo: carol@stock.test\r\nSubject: drop-in\r\n\r\nthrough a stock James\r\n");
            }
            try (TestIMAPClient client = new TestIMAPClient()) {
                client.connect("127.0.0.1", imap).login("carol@stock.test", "dropin-Pass").select(TestIMAPClient.INBOX)
                    .awaitMessageCount(await().atMost(Duration.ofSeconds(60)), 1);
                String message = client.readFirstMessage();
                assertThat(message).contains("X-Portcullis-Direction: inbound").contains("X-Stock-Matched: inbound");
            }
            // The tracking module listed in extensions.properties, its route in webadmin.properties.
            RestAssured.given().baseUri("http://127.0.0.1").port(webadmin).queryParam("recipient", "carol@stock.test")
                .get("/portcullis/tracking").then().statusCode(200)
                .body("total", org.hamcrest.Matchers.equalTo(1))
                .body("messages[0].subject", org.hamcrest.Matchers.equalTo("drop-in"));
            RestAssured.given().baseUri("http://127.0.0.1").port(webadmin).get("/portcullis/quarantine").then().statusCode(200)
                .body("total", org.hamcrest.Matchers.equalTo(0));
        } finally {
            james.destroy();
            if (!james.waitFor(30, TimeUnit.SECONDS)) {
                james.destroyForcibly();
            }
        }
    }

    private static void stockJamesInto(Path lib) throws Exception {
        String mavenHome = System.getProperty("maven.home");
        String mvn = mavenHome != null && Files.exists(Path.of(mavenHome, "bin", "mvn")) ? Path.of(mavenHome, "bin", "mvn").toString() : "mvn";
        Process process = new ProcessBuilder(mvn, "-B", "-q", "-f", System.getProperty("portcullis.stock.pom"),
            "dependency:copy-dependencies", "-DincludeScope=runtime", "-DoutputDirectory=" + lib)
            .redirectErrorStream(true)
            .redirectOutput(lib.getParent().resolve("mvn.log").toFile())
            .start();
        assertThat(process.waitFor(10, TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue()).as(Files.readString(lib.getParent().resolve("mvn.log"))).isZero();
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int freePort() throws IOException {
        return PortcullisTestServer.freePort();
    }

    private static void waitForWebAdmin(Process james, int port, Path home) throws Exception {
        Instant deadline = Instant.now().plusSeconds(120);
        while (Instant.now().isBefore(deadline)) {
            if (!james.isAlive()) {
                throw new IllegalStateException("stock James exited: " + Files.readString(home.resolve("console.log")));
            }
            try {
                HttpURLConnection connection = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/domains").toURL().openConnection();
                connection.setConnectTimeout(500);
                if (connection.getResponseCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not yet
            }
            Thread.sleep(300);
        }
        throw new IllegalStateException("stock James did not start: " + String.join("\n",
            List.of(Files.readString(home.resolve("console.log")))));
    }
}
