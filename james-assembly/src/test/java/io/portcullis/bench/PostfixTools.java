package io.portcullis.bench;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * postfix's {@code smtp-source} (load) and {@code smtp-sink} (downstream), from the Debian package postfix, which
 * the harness installs when it runs as root on a machine without them.
 */
public final class PostfixTools {
    public static final String SOURCE = "/usr/sbin/smtp-source";
    public static final String SINK = "/usr/sbin/smtp-sink";

    private PostfixTools() {
    }

    /** Installs postfix (for smtp-source and smtp-sink) when missing; fails with what to do when it cannot. */
    public static void ensureInstalled() throws IOException, InterruptedException {
        if (new File(SOURCE).canExecute() && new File(SINK).canExecute()) {
            return;
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new IllegalStateException(SOURCE + " / " + SINK + " are missing: run 'sudo apt-get install -y postfix' (Debian) and retry");
        }
        System.out.println("Installing postfix (smtp-source, smtp-sink) from Debian ...");
        run(List.of("apt-get", "update"));
        run(List.of("apt-get", "install", "-y", "--no-install-recommends", "postfix"));
        if (!new File(SOURCE).canExecute()) {
            throw new IllegalStateException("postfix installed but " + SOURCE + " is still missing");
        }
    }

    static void run(List<String> command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
        builder.environment().put("DEBIAN_FRONTEND", "noninteractive");
        int exit = builder.start().waitFor();
        if (exit != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed with exit code " + exit);
        }
    }

    /** What a smtp-source load did: messages it was asked to send, batches that failed, and the wall time. */
    public record SourceResult(int messages, int failedBatches, long failedMessagesAtMost, Duration elapsed, List<String> errors) {
        public double perSecond() {
            return messages / (elapsed.toNanos() / 1e9);
        }
    }

    /**
     * Sends the messages of {@code schedule} (kinds, in order) with smtp-source, {@code sessions} at a time, in batches
     * of {@code batch} messages of one kind (one smtp-source process each, a connection per message): the mix stays
     * interleaved over the whole run. Returns when every batch is done.
     */
    public static SourceResult source(int port, List<LoadMix.Kind> schedule, Map<LoadMix.Kind, Path> files, int sessions, int batch)
            throws InterruptedException {
        List<List<Object>> batches = new ArrayList<>();
        for (int i = 0; i < schedule.size(); ) {
            LoadMix.Kind kind = schedule.get(i);
            int n = 0;
            while (i < schedule.size() && schedule.get(i) == kind && n < batch) {
                i++;
                n++;
            }
            batches.add(List.of(kind, n));
        }
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicLong failedMessages = new AtomicLong();
        List<String> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(sessions);
        long start = System.nanoTime();
        for (int s = 0; s < sessions; s++) {
            pool.submit(() -> {
                int b;
                while ((b = next.getAndIncrement()) < batches.size()) {
                    LoadMix.Kind kind = (LoadMix.Kind) batches.get(b).get(0);
                    int n = (Integer) batches.get(b).get(1);
                    List<String> command = List.of(SOURCE, "-m", String.valueOf(n), "-F", files.get(kind).toString(),
                        "-f", kind.sender, "-t", LoadMix.RECIPIENT, "-M", "load.example", "127.0.0.1:" + port);
                    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
                    String output = new String(process.getInputStream().readAllBytes());
                    if (process.waitFor() != 0) {
                        failed.incrementAndGet();
                        failedMessages.addAndGet(n);
                        if (errors.size() < 10) {
                            errors.add(output.trim());
                        }
                    }
                }
                return null;
            });
        }
        pool.shutdown();
        pool.awaitTermination(2, TimeUnit.HOURS);
        return new SourceResult(schedule.size(), failed.get(), failedMessages.get(), Duration.ofNanos(System.nanoTime() - start), errors);
    }
}
