package io.portcullis.hostile;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends corpus messages over plain SMTP from a few parallel clients, a connection per message.
 * The bytes go out as they are (8-bit, NUL, bare CR or LF), only dot-stuffed, so the server sees exactly what
 * an attacker's client would send. Records, per message, whether {@code DATA} got {@code 250} and how long the
 * final reply took (pre-queue scoring happens while the client waits).
 */
public final class CorpusSender {
    /** What happened to one message at the SMTP stage. */
    public record Outcome(HostileMessage message, boolean acknowledged, String reply, Duration dataReply) {
    }

    private final String host;
    private final int port;
    private final String recipient;
    private final Map<Integer, Outcome> outcomes = new ConcurrentHashMap<>();

    public CorpusSender(String host, int port, String recipient) {
        this.host = host;
        this.port = port;
        this.recipient = recipient;
    }

    /** The outcome of each message sent so far, by corpus index. */
    public Map<Integer, Outcome> outcomes() {
        return outcomes;
    }

    /** Sends every message with {@code connections} parallel clients; returns when all are sent or the time is up. */
    public void sendAll(List<HostileMessage> messages, int connections, Duration timeout) throws Exception {
        AtomicInteger next = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(connections);
        try {
            Future<?>[] running = new Future<?>[connections];
            for (int c = 0; c < connections; c++) {
                running[c] = clients.submit(() -> {
                    int i;
                    while ((i = next.getAndIncrement()) < messages.size()) {
                        HostileMessage message = messages.get(i);
                        try (Connection connection = new Connection(host, port)) {
                            outcomes.put(message.index(), connection.send(message, recipient));
                        } catch (IOException e) {
                            outcomes.put(message.index(), new Outcome(message, false, "I/O: " + e.getMessage(), Duration.ZERO));
                        }
                    }
                    return null;
                });
            }
            clients.shutdown();
            if (!clients.awaitTermination(timeout.toSeconds(), TimeUnit.SECONDS)) {
                clients.shutdownNow();
            }
            for (Future<?> future : running) {
                if (future.isDone()) {
                    future.get();
                }
            }
        } finally {
            clients.shutdownNow();
        }
    }

    /**
     * One SMTP connection per message: a hostile message may draw an extra reply (a line too long, say) that
     * would put every later transaction of a shared connection out of step with its replies.
     */
    private static final class Connection implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        Connection(String host, int port) throws IOException {
            socket = new Socket();
            socket.connect(new InetSocketAddress(host, port), 5_000);
            socket.setSoTimeout(60_000);
            in = new BufferedInputStream(socket.getInputStream());
            out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
            expect(reply(), "220");
            command("EHLO corpus-client.remote.example");
            expect(reply(), "250");
        }

        Outcome send(HostileMessage message, String recipient) throws IOException {
            command("MAIL FROM:<" + message.envelopeSender() + ">");
            String mail = reply();
            if (!mail.startsWith("250")) {
                return refused(message, "MAIL: " + mail);
            }
            command("RCPT TO:<" + recipient + ">");
            String rcpt = reply();
            if (!rcpt.startsWith("250")) {
                return refused(message, "RCPT: " + rcpt);
            }
            command("DATA");
            String data = reply();
            if (!data.startsWith("354")) {
                return refused(message, "DATA: " + data);
            }
            out.write(dotStuffed(message.content()));
            out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long start = System.nanoTime();
            String end = reply();
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            return new Outcome(message, end.startsWith("250"), end, took);
        }

        private static Outcome refused(HostileMessage message, String reply) {
            return new Outcome(message, false, reply, Duration.ZERO);
        }

        private void command(String line) throws IOException {
            out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        private static void expect(String reply, String code) throws IOException {
            if (!reply.startsWith(code)) {
                throw new IOException("expected " + code + ", got " + reply);
            }
        }

        /** The last line of a (multi-line) reply. */
        private String reply() throws IOException {
            while (true) {
                String line = line();
                if (line.length() < 4 || line.charAt(3) != '-') {
                    return line;
                }
            }
        }

        private String line() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != -1) {
                if (b == '\n') {
                    String text = line.toString(StandardCharsets.ISO_8859_1);
                    return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
                }
                line.write(b);
            }
            throw new IOException("connection closed by the server");
        }

        @Override
        public void close() {
            try {
                command("QUIT");
            } catch (IOException e) {
                // closing anyway
            }
            try {
                socket.close();
            } catch (IOException e) {
                // nothing more to do
            }
        }
    }

    /** Doubles a dot that starts a line (after any LF, bare or not) and ends the data with CRLF. */
    static byte[] dotStuffed(byte[] content) {
        ByteArrayOutputStream stuffed = new ByteArrayOutputStream(content.length + 64);
        for (int i = 0; i < content.length; i++) {
            if (content[i] == '.' && (i == 0 || content[i - 1] == '\n')) {
                stuffed.write('.');
            }
            stuffed.write(content[i]);
        }
        int n = content.length;
        if (n < 2 || content[n - 2] != '\r' || content[n - 1] != '\n') {
            stuffed.write('\r');
            stuffed.write('\n');
        }
        return stuffed.toByteArray();
    }
}
