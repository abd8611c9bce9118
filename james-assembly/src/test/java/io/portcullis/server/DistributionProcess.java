package io.portcullis.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;

/**
 * The packaged distribution ({@code james-assembly/target/portcullis-<version>/portcullis}, built by
 * {@code mvn package}) run as a separate process through its own start script, in a fresh home made of
 * links to the distribution's {@code bin}, {@code lib} and {@code extensions-jars} and a copy of its
 * {@code conf}. Ports come from the environment variables the configuration documents.
 */
public final class DistributionProcess implements AutoCloseable {
    private final Path home;
    private final Map<String, String> environment;
    private Process process;

    private DistributionProcess(Path home, Map<String, String> environment) {
        this.home = home;
        this.environment = environment;
    }

    public static Path distribution() {
        String location = System.getProperty("portcullis.distribution");
        Path path = (location != null ? Path.of(location) : defaultDistribution()).toAbsolutePath();
        if (!Files.isExecutable(path.resolve("bin/portcullis"))) {
            throw new IllegalStateException("No distribution at " + path + ": run 'mvn package' first");
        }
        return path;
    }

    private static Path defaultDistribution() {
        for (Path base : new Path[] {Path.of("target"), Path.of("james-assembly", "target")}) {
            try (var entries = Files.list(base)) {
                var found = entries.filter(p -> p.getFileName().toString().startsWith("portcullis-") && Files.isDirectory(p.resolve("portcullis")))
                    .findFirst();
                if (found.isPresent()) {
                    return found.get().resolve("portcullis");
                }
            } catch (IOException e) {
                // try the next base
            }
        }
        throw new IllegalStateException("No packaged distribution found: run 'mvn -DskipTests package' first");
    }

    public static DistributionProcess prepare(Path home, Map<String, String> extraEnvironment) throws IOException {
        Path distribution = distribution();
        Files.createDirectories(home);
        Files.createSymbolicLink(home.resolve("lib"), distribution.resolve("lib"));
        Files.createSymbolicLink(home.resolve("extensions-jars"), distribution.resolve("extensions-jars"));
        Files.createDirectories(home.resolve("bin"));
        Files.copy(distribution.resolve("bin/portcullis"), home.resolve("bin/portcullis"));
        Files.createDirectories(home.resolve("conf"));
        try (var files = Files.list(distribution.resolve("conf"))) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.copy(file, home.resolve("conf").resolve(file.getFileName()));
            }
        }
        Map<String, String> environment = new HashMap<>();
        for (String name : new String[] {"SMTP", "SUBMISSION", "IMAP", "POP3", "WEBADMIN"}) {
            environment.put("PORTCULLIS_" + name + "_PORT", String.valueOf(freePort()));
        }
        environment.put("JAVA_OPTS", "-Xmx512m");
        environment.putAll(extraEnvironment);
        return new DistributionProcess(home, environment);
    }

    private static int freePort() throws IOException {
        return PortcullisTestServer.freePort();
    }

    public int port(String name) {
        return Integer.parseInt(environment.get("PORTCULLIS_" + name + "_PORT"));
    }

    /** A request to this server's WebAdmin, with whatever it needs to be let in (the admin token, once started). */
    public RequestSpecification webAdmin() {
        RequestSpecification spec = RestAssured.given().port(port("WEBADMIN")).baseUri("http://127.0.0.1");
        if (Files.isRegularFile(tokenFile())) {
            try {
                spec = spec.header("Authorization", authorization());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return spec;
    }

    public Path home() {
        return home;
    }

    /** Starts the script and waits until WebAdmin answers; returns the start-up time. */
    public Duration start() throws Exception {
        Instant begin = Instant.now();
        ProcessBuilder builder = new ProcessBuilder(home.resolve("bin/portcullis").toString())
            .directory(home.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("console.log").toFile()));
        builder.environment().putAll(environment);
        process = builder.start();
        Instant deadline = begin.plus(Duration.ofSeconds(120));
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Server exited with " + process.exitValue() + ", see " + home.resolve("console.log")
                    + ":\n" + tail());
            }
            if (webAdminAnswers()) {
                return Duration.between(begin, Instant.now());
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("Server did not start within 120 s:\n" + tail());
    }

    /** The console lines that say what went wrong (exceptions and errors), or the end of the console. */
    String tail() throws IOException {
        String log = Files.exists(home.resolve("console.log")) ? Files.readString(home.resolve("console.log")) : "";
        String errors = log.lines()
            .filter(line -> line.contains("Exception") || line.contains("ERROR") || line.startsWith("Wrapped by") || line.startsWith("Caused by"))
            .collect(java.util.stream.Collectors.joining("\n"));
        String end = log.length() > 4000 ? log.substring(log.length() - 4000) : log;
        return errors + "\n--- end of console ---\n" + end;
    }

    private boolean webAdminAnswers() {
        try {
            if (!Files.exists(tokenFile())) {
                return false;
            }
            HttpURLConnection connection = (HttpURLConnection) URI.create("http://127.0.0.1:" + port("WEBADMIN") + "/domains").toURL().openConnection();
            connection.setRequestProperty("Authorization", authorization());
            connection.setConnectTimeout(500);
            connection.setReadTimeout(2000);
            return connection.getResponseCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    /** The server's {@code var/webadmin.token}: under {@code PORTCULLIS_VAR_DIR} when set, else {@code var/} of the home. */
    public Path tokenFile() {
        String var = environment.get("PORTCULLIS_VAR_DIR");
        return (var != null && !var.isBlank() ? Path.of(var) : home.resolve("var")).resolve("webadmin.token");
    }

    /** The admin token the server created at its first start. */
    public String adminToken() throws IOException {
        return Files.readString(tokenFile()).strip();
    }

    /** The {@code Authorization} header value WebAdmin wants. */
    public String authorization() throws IOException {
        return "Bearer " + adminToken();
    }

    public long pid() {
        return process.pid();
    }

    /** Resident set size in KiB, from /proc. */
    public long rssKib() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    /** SIGKILL: no shutdown hook, no flush. */
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    public void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
