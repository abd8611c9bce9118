package io.portcullis.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.james.GuiceJamesServer;

import com.google.inject.Module;

import io.restassured.RestAssured;
import io.restassured.builder.RequestSpecBuilder;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/**
 * The bundled server started in-process for tests: the real {@code conf/} of the repository copied into a
 * working directory, every port replaced by a free one (environment defaults rewritten in the copy), and
 * {@link PortcullisServerMain#createServer(Configuration)} started on it. Restartable on the same directory.
 */
public final class PortcullisTestServer implements AutoCloseable {
    public static final Path REPOSITORY_CONF = Path.of("..", "conf");

    private final Path workingDirectory;
    private final Map<String, Integer> ports;
    private final List<Module> extraModules = new ArrayList<>();
    private GuiceJamesServer server;

    private PortcullisTestServer(Path workingDirectory, Map<String, Integer> ports) {
        this.workingDirectory = workingDirectory;
        this.ports = ports;
    }

    /** Copies the repository's conf into {@code workingDirectory}/conf with free ports; {@code overrides} maps an environment variable name to the value to write instead of its default. */
    public static PortcullisTestServer prepare(Path workingDirectory, Map<String, String> overrides) throws IOException {
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (String name : new String[] {"SMTP", "SUBMISSION", "IMAP", "POP3", "WEBADMIN"}) {
            ports.put(name, freePort());
        }
        Path conf = workingDirectory.resolve("conf");
        Files.createDirectories(conf);
        try (Stream<Path> files = Files.list(REPOSITORY_CONF)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                String content = Files.readString(file);
                for (Map.Entry<String, Integer> port : ports.entrySet()) {
                    content = replaceDefault(content, "PORTCULLIS_" + port.getKey() + "_PORT", String.valueOf(port.getValue()));
                }
                for (Map.Entry<String, String> override : overrides.entrySet()) {
                    content = replaceDefault(content, override.getKey(), override.getValue());
                }
                Files.writeString(conf.resolve(file.getFileName()), content);
            }
        }
        return new PortcullisTestServer(workingDirectory, ports);
    }

    /** Loopback only, never relayed for: the address tests use as "the Internet". */
    public static final String NO_RELAY_NETWORK = "192.0.2.1/32";

    /**
     * The server as seen from the Internet: the checks' DNS answered by {@code dnsPort} on loopback, test
     * blocklist zones, and loopback outside the relay networks unless {@code relayNetworks} says otherwise.
     */
    public static PortcullisTestServer prepareWithChecksDns(Path workingDirectory, int dnsPort, String relayNetworks) throws IOException {
        return prepare(workingDirectory, Map.of(
            "PORTCULLIS_CHECKS_DNS", "127.0.0.1:" + dnsPort,
            "PORTCULLIS_RELAY_NETWORKS", relayNetworks,
            "PORTCULLIS_DNSBL_ZONES", "bl.test=60",
            "PORTCULLIS_URIBL_ZONES", "uribl.test=60"));
    }

    /** Replaces {@code ${env:NAME:-default}} by {@code value}. */
    static String replaceDefault(String content, String variable, String value) {
        return content.replaceAll("\\$\\{env:" + variable + ":-[^}]*}", java.util.regex.Matcher.quoteReplacement(value));
    }

    /**
     * A port that is free now, below Linux's ephemeral range (32768 and up): a port the kernel hands out for
     * {@code new ServerSocket(0)} can be taken by any outgoing connection (of this JVM's clients, or RemoteDelivery)
     * before the server binds it, and James's WebAdmin then never finishes starting.
     */
    static int freePort() throws IOException {
        for (int tries = 0; tries < 200; tries++) {
            int port = 20_000 + java.util.concurrent.ThreadLocalRandom.current().nextInt(12_000);
            try (ServerSocket socket = new ServerSocket(port, 50, java.net.InetAddress.getByName("0.0.0.0"))) {
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no free port found between 20000 and 32000");
    }

    /** How long a start may take before the test fails instead of waiting for ever (Spark waits without limit). */
    private static final java.time.Duration START_TIMEOUT = java.time.Duration.ofMinutes(3);

    /** Guice modules combined with the bundled server's at every later start (test probes, typically). */
    public PortcullisTestServer withModules(Module... modules) {
        extraModules.addAll(List.of(modules));
        return this;
    }

    public PortcullisTestServer start() throws Exception {
        GuiceJamesServer created = PortcullisServerMain.createServer(DataDirectories.configuration(workingDirectory.toString()))
            .combineWith(extraModules);
        java.util.concurrent.CompletableFuture<Void> started = new java.util.concurrent.CompletableFuture<>();
        Thread starter = new Thread(() -> {
            try {
                created.start();
                started.complete(null);
            } catch (Throwable e) {
                started.completeExceptionally(e);
            }
        }, "portcullis-test-server-start");
        starter.setDaemon(true);
        starter.start();
        try {
            started.get(START_TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("The server in " + workingDirectory + " did not start within " + START_TIMEOUT + " (ports " + ports + ")", e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
        server = created;
        return this;
    }

    public void stop() {
        if (server != null) {
            server.stop();
            server = null;
        }
    }

    public GuiceJamesServer guice() {
        return server;
    }

    public int smtpPort() {
        return ports.get("SMTP");
    }

    public int submissionPort() {
        return ports.get("SUBMISSION");
    }

    public int imapPort() {
        return ports.get("IMAP");
    }

    public int pop3Port() {
        return ports.get("POP3");
    }

    public int webAdminPort() {
        return ports.get("WEBADMIN");
    }

    public Path workingDirectory() {
        return workingDirectory;
    }

    /** WebAdmin as the administrator reaches it: loopback, with the admin token of {@code var/webadmin.token}. */
    public RequestSpecification webAdmin() {
        RequestSpecBuilder spec = new RequestSpecBuilder()
            .setBaseUri("http://127.0.0.1")
            .setPort(webAdminPort())
            .setContentType(ContentType.JSON);
        if (Files.exists(tokenFile())) {
            spec.addHeader("Authorization", "Bearer " + adminToken());
        }
        return RestAssured.given(spec.build());
    }

    /** The server's {@code var/webadmin.token} (in the var directory the configuration resolves, overridable). */
    public Path tokenFile() {
        return Path.of(DataDirectories.configuration(workingDirectory.toString()).directories().getVarDirectory()).resolve("webadmin.token");
    }

    /** The admin token the server created at its first start. */
    public String adminToken() {
        try {
            return Files.readString(tokenFile()).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("No WebAdmin token at " + tokenFile() + " (has the server started?)", e);
        }
    }

    public void addDomain(String domain) {
        webAdmin().put("/domains/" + domain).then().statusCode(204);
    }

    public void addUser(String user, String password) {
        webAdmin().body("{\"password\":\"" + password + "\"}").put("/users/" + user).then().statusCode(204);
    }

    @Override
    public void close() {
        stop();
    }

    static void deleteQuietly(Path path) {
        try (Stream<Path> files = Files.walk(path)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
