package io.portcullis.bench;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Postfix's {@code smtp-sink} on loopback as the downstream (corporate) server of the load benchmarks (which install
 * postfix; the tests script their downstream with {@code io.portcullis.delivery.ScriptedSmtpServer}). Fails (never skips) when it is not
 * installed: Debian package {@code postfix}.
 */
public final class SmtpSink implements AutoCloseable {
    public static final String BINARY = "/usr/sbin/smtp-sink";

    private final int port;
    private final Path directory;
    private Process process;

    /** {@code smtp-sink} drops privileges to nobody when run as root: the dump folder is world-writable under /tmp. */
    public SmtpSink(int port) throws IOException {
        this.port = port;
        this.directory = Files.createTempDirectory(Path.of("/tmp"), "portcullis-sink-");
        directory.toFile().setReadable(true, false);
    }

    /** Starts accepting everything ({@code extra} e.g. {@code -r RCPT} for 4xx, {@code -f RCPT} for 5xx to RCPT). */
    public SmtpSink start(String... extra) throws Exception {
        if (!new File(BINARY).canExecute()) {
            throw new AssertionError(BINARY + " is missing: install the Debian package postfix (apt-get install -y postfix)");
        }
        Files.createDirectories(directory);
        directory.toFile().setWritable(true, false);
        directory.toFile().setExecutable(true, false);
        List<String> command = new ArrayList<>(List.of(BINARY));
        if ("root".equals(System.getProperty("user.name"))) {
            command.addAll(List.of("-u", "nobody"));
        }
        command.addAll(List.of("-d", directory + "/%M"));
        command.addAll(List.of(extra));
        command.addAll(List.of("127.0.0.1:" + port, "10"));
        process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return this;
            } catch (IOException notYet) {
                if (!process.isAlive()) {
                    throw new AssertionError("smtp-sink exited with " + process.exitValue() + ": " + command);
                }
                Thread.sleep(50);
            }
        }
        throw new AssertionError("smtp-sink did not listen on " + port);
    }

    public void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            process.waitFor();
            process = null;
        }
    }

    /** Contents of the messages received so far. */
    public List<String> messages() throws IOException {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(directory)) {
            List<String> result = new ArrayList<>();
            for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                result.add(Files.readString(file, java.nio.charset.StandardCharsets.ISO_8859_1));
            }
            return result;
        }
    }

    /** How many messages were received so far (one file per transaction). */
    public long count() throws IOException {
        if (!Files.isDirectory(directory)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(directory)) {
            return files.filter(Files::isRegularFile).count();
        }
    }

    public int port() {
        return port;
    }

    @Override
    public void close() throws Exception {
        stop();
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }
}
