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
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * An open-loop SMTP load at a fixed rate on loopback: message {@code i} is due at {@code start + i / rate}
 * whatever happened to the earlier ones (so a slow server shows as latency, not as a lower offered rate), one
 * connection per message, as most sending MTAs do. Records, per message, whether the server answered 250 to the
 * final dot and how long that took (DATA to 250: from the end of the data to the reply).
 */
public final class PacedSmtpClient {
    /** One message: its id (in Message-ID and subject), kind, and what happened. */
    public record Outcome(String id, LoadMix.Kind kind, boolean accepted, long latencyMicros, String error) {
    }

    public record Result(List<Outcome> outcomes, Duration elapsed) {
        public List<Outcome> accepted() {
            return outcomes.stream().filter(Outcome::accepted).toList();
        }

        public long failures() {
            return outcomes.stream().filter(o -> !o.accepted()).count();
        }

        public long percentileMicros(double p) {
            List<Long> sorted = new ArrayList<>(accepted().stream().map(Outcome::latencyMicros).toList());
            if (sorted.isEmpty()) {
                return -1;
            }
            Collections.sort(sorted);
            return sorted.get(Math.max(0, Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1)));
        }

        public double offeredPerSecond() {
            return outcomes.size() / (elapsed.toNanos() / 1e9);
        }
    }

    private final int port;
    private final String runId;
    private final AtomicBoolean stop = new AtomicBoolean();

    public PacedSmtpClient(int port, String runId) {
        this.port = port;
        this.runId = runId;
    }

    /** Makes a running {@link #run} stop scheduling new messages. */
    public void stop() {
        stop.set(true);
    }

    /** Sends {@code count} messages of {@code schedule} (cycled) at {@code rate} per second with up to {@code workers} at once. */
    public Result run(List<LoadMix.Kind> schedule, int count, double rate, int workers) throws InterruptedException {
        ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
        AtomicInteger next = new AtomicInteger();
        long intervalNanos = (long) (1e9 / rate);
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        for (int w = 0; w < workers; w++) {
            pool.submit(() -> {
                while (!stop.get()) {
                    int i = next.getAndIncrement();
                    if (i >= count) {
                        return null;
                    }
                    long due = start + i * intervalNanos;
                    long wait;
                    while ((wait = due - System.nanoTime()) > 0 && !stop.get()) {
                        LockSupport.parkNanos(Math.min(wait, 50_000_000L));
                    }
                    if (stop.get()) {
                        return null;
                    }
                    LoadMix.Kind kind = schedule.get(i % schedule.size());
                    outcomes.add(send(String.format("%s-%06d", runId, i), kind));
                }
                return null;
            });
        }
        pool.shutdown();
        pool.awaitTermination(2, TimeUnit.HOURS);
        return new Result(new ArrayList<>(outcomes), Duration.ofNanos(System.nanoTime() - start));
    }

    private Outcome send(String id, LoadMix.Kind kind) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(120_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = socket.getOutputStream();
            SmtpLoad.expect(in, "220");
            SmtpLoad.command(in, out, "EHLO load.example", "250");
            SmtpLoad.command(in, out, "MAIL FROM:<" + kind.sender + ">", "250");
            SmtpLoad.command(in, out, "RCPT TO:<" + LoadMix.RECIPIENT + ">", "250");
            SmtpLoad.command(in, out, "DATA", "354");
            String data = LoadMix.message(kind, id).replace("\r\n.", "\r\n..");
            out.write((data + ".\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long before = System.nanoTime();
            String reply = SmtpLoad.reply(in);
            long micros = (System.nanoTime() - before) / 1000;
            try {
                SmtpLoad.command(in, out, "QUIT", "221");
            } catch (IOException ignored) {
                // the transaction is what counts
            }
            return reply.startsWith("250") ? new Outcome(id, kind, true, micros, null) : new Outcome(id, kind, false, micros, reply);
        } catch (IOException e) {
            return new Outcome(id, kind, false, -1, String.valueOf(e.getMessage()));
        }
    }
}
