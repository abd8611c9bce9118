package io.portcullis.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * A bounded SMTP load on loopback: {@code threads} clients, each on its own connection reused for several
 * transactions, send {@code count} messages in all; records the DATA-to-250 latency of each.
 */
public final class SmtpLoad {
    public record Result(int sent, int accepted, Duration elapsed, List<Long> latenciesMicros) {
        public double acceptedPerSecond() {
            return accepted / (elapsed.toNanos() / 1e9);
        }

        public long percentileMicros(double p) {
            if (latenciesMicros.isEmpty()) {
                return -1;
            }
            List<Long> sorted = new ArrayList<>(latenciesMicros);
            Collections.sort(sorted);
            return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
        }
    }

    private SmtpLoad() {
    }

    /** Sends {@code count} messages; {@code message(i)} returns the envelope and content of message i. */
    public static Result run(int port, int threads, int count, IntFunction<String[]> message) throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger accepted = new AtomicInteger();
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            pool.submit(() -> {
                while (next.get() < count) {
                    try (Socket socket = new Socket()) {
                        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                        socket.setSoTimeout(60000);
                        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
                        OutputStream out = socket.getOutputStream();
                        expect(in, "220");
                        command(in, out, "EHLO load.example", "250");
                        for (int n = 0; n < 20; n++) {
                            int i = next.getAndIncrement();
                            if (i >= count) {
                                break;
                            }
                            String[] m = message.apply(i);
                            command(in, out, "MAIL FROM:<" + m[0] + ">", "250");
                            command(in, out, "RCPT TO:<" + m[1] + ">", "250");
                            command(in, out, "DATA", "354");
                            out.write((m[2].replace("\r\n.", "\r\n..") + "\r\n.\r\n").getBytes(StandardCharsets.US_ASCII));
                            out.flush();
                            long before = System.nanoTime();
                            String reply = reply(in);
                            if (reply.startsWith("250")) {
                                accepted.incrementAndGet();
                                latencies.add((System.nanoTime() - before) / 1000);
                            }
                        }
                        command(in, out, "QUIT", "221");
                    } catch (IOException e) {
                        // counted as not accepted
                    }
                }
                return null;
            });
        }
        pool.shutdown();
        pool.awaitTermination(30, TimeUnit.MINUTES);
        return new Result(count, accepted.get(), Duration.ofNanos(System.nanoTime() - start), latencies);
    }

    /** Sends one SMTP command and expects a reply starting with {@code expected}. */
    static void command(BufferedReader in, OutputStream out, String command, String expected) throws IOException {
        out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        expect(in, expected);
    }

    static void expect(BufferedReader in, String expected) throws IOException {
        String reply = reply(in);
        if (!reply.startsWith(expected)) {
            throw new IOException("expected " + expected + " got " + reply);
        }
    }

    /** One SMTP reply (its last line, for multi-line replies). */
    static String reply(BufferedReader in) throws IOException {
        String line;
        while ((line = in.readLine()) != null) {
            if (line.length() < 4 || line.charAt(3) != '-') {
                return line;
            }
        }
        throw new IOException("connection closed");
    }
}
