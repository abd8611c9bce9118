package io.portcullis.delivery;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The delivery receipts journal: what bridges the receiving server's {@code 250} and the Delivery-log commit.
 *
 * <p>A relay that crashes after the receiving server accepted a message and before it recorded that will deliver
 * the message again (RFC 1047); the shorter that window, the rarer the duplicate. The Delivery-log commit shares
 * Derby's log with the tracking writer and takes 15–20 ms under load; an append to this small file and its
 * {@code fsync} take well under a millisecond. So a delivered attempt is appended here first, then written to the
 * Delivery log ({@link DeliveryLog#recordOwing}), then RemoteDelivery acknowledges its queue item. At start-up the
 * receipts left here are written to the Delivery log when it lacks them ({@link DeliveryRecorder}), before any
 * queue item is handed to RemoteDelivery, so the re-delivery check sees them.
 *
 * <p>The window cannot be closed: between the moment the end of the content leaves for the receiving server and the
 * moment its reply is read, a crash leaves the gateway not knowing whether the message was accepted, and it delivers
 * it again. So that every such delivery is known, a <em>sending</em> line is written just before the end of the
 * content is sent ({@link #appendSending}); the receipt, or an <em>answered</em> line for a refusal or a lost
 * connection, answers it. A sending line no answer follows is what a crash cut off ({@link #cutOff()}): the restart
 * records it as an attempt that may have reached the receiving server before the message is delivered again. A
 * sending or answered line is written without {@code fsync}: it survives the death of the process (kill -9, a JVM
 * crash), which is what it is for; after a power loss only the {@code fsync}ed receipts are sure to be there.
 *
 * <p>Two files take turns: when the current one passes {@code rotateBytes}, appends move to the other as soon as
 * every receipt and open sending line in it has been dealt with (it is then emptied). One line of JSON per entry; a
 * line torn by a crash is ignored (its delivery was not acknowledged to anybody yet).
 */
public class DeliveryJournal implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(DeliveryJournal.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final long DEFAULT_ROTATE_BYTES = 1 << 20;

    /**
     * A line appended to file {@code file}: a receipt (hand it back with {@link #committed} once in the Delivery log)
     * or a sending line (answered with {@link #append(DeliveryAttempt, Optional)} or {@link #answered}); {@code id}
     * names a sending line.
     */
    public record Receipt(int file, String id) {
    }

    private static final String KIND = "kind";
    private static final String SENDING = "sending";
    private static final String ANSWERED = "answered";
    private static final String ANSWERS = "answers";

    private final Path[] paths;
    private final FileChannel[] channels = new FileChannel[2];
    private final int[] inFlight = new int[2];
    /** Lines written to each file, and how many of them an {@code fsync} has covered (under {@link #forceLock}). */
    private final long[] written = new long[2];
    private final long[] forced = new long[2];
    private final Object forceLock = new Object();
    private final long rotateBytes;
    private final List<DeliveryAttempt> leftOver;
    private final List<DeliveryAttempt> cutOff;
    /** Names this run's sending lines apart from those of earlier runs. */
    private final String run = Long.toString(System.currentTimeMillis(), 36);
    private long sendingCount;
    private int current;

    private DeliveryJournal(Path directory, long rotateBytes) throws IOException {
        Files.createDirectories(directory);
        this.paths = new Path[] {directory.resolve("receipts-0.jsonl"), directory.resolve("receipts-1.jsonl")};
        this.rotateBytes = rotateBytes;
        List<Map<String, Object>> lines = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            lines.addAll(read(paths[i]));
            channels[i] = FileChannel.open(paths[i], StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        }
        java.util.Set<Object> answered = new java.util.HashSet<>();
        List<DeliveryAttempt> receipts = new ArrayList<>();
        for (Map<String, Object> line : lines) {
            Object kind = line.get(KIND);
            if (ANSWERED.equals(kind)) {
                answered.add(line.get("id"));
            } else if (!SENDING.equals(kind)) {
                receipts.add(fromMap(line, DeliveryAttempt.Outcome.DELIVERED));
                if (line.get(ANSWERS) != null) {
                    answered.add(line.get(ANSWERS));
                }
            }
        }
        List<DeliveryAttempt> unanswered = new ArrayList<>();
        for (Map<String, Object> line : lines) {
            if (SENDING.equals(line.get(KIND)) && !answered.contains(line.get("id"))) {
                unanswered.add(fromMap(line, DeliveryAttempt.Outcome.DEFERRED));
            }
        }
        this.leftOver = List.copyOf(receipts);
        this.cutOff = List.copyOf(unanswered);
        // appends go to the file holding fewer bytes; the other is emptied only once its receipts are recovered
        this.current = channels[0].size() <= channels[1].size() ? 0 : 1;
    }

    /** Opens (creating) the journal in {@code directory}; what the last run left is in {@link #leftOver()}. */
    public static DeliveryJournal open(Path directory) {
        return open(directory, DEFAULT_ROTATE_BYTES);
    }

    public static DeliveryJournal open(Path directory, long rotateBytes) {
        try {
            return new DeliveryJournal(directory, rotateBytes);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot open the delivery receipts journal in " + directory + ": " + e.getMessage(), e);
        }
    }

    /** The receipts found when the journal was opened (some may already be in the Delivery log). */
    public List<DeliveryAttempt> leftOver() {
        return leftOver;
    }

    /**
     * The attempts the last run had sent the end of the content of and never learnt the outcome of: the process died
     * before the receiving server's reply was read. Each may have been delivered; the reply text is
     * {@link #CUT_OFF_REPLY}.
     */
    public List<DeliveryAttempt> cutOff() {
        return cutOff;
    }

    /** The reply of a {@link #cutOff()} attempt. */
    public static final String CUT_OFF_REPLY = "no reply read: the gateway stopped after sending the end of the message content and before "
        + "reading the receiving server's reply; the server may have accepted the message, so delivering it again may give its "
        + "recipients a second copy";

    /** Empties both files once every receipt of {@link #leftOver()} is in the Delivery log. */
    public synchronized void recovered() throws IOException {
        for (int i = 0; i < 2; i++) {
            if (inFlight[i] == 0) {
                channels[i].truncate(0);
                channels[i].force(true);
            }
        }
    }

    /**
     * Appends the receipt of a delivered attempt and makes it durable ({@code fsync}) before returning. Concurrent
     * callers share {@code fsync}s: each waits only for one that started after its line was written.
     */
    public Receipt append(DeliveryAttempt attempt) throws IOException {
        return append(attempt, Optional.empty());
    }

    /**
     * As {@link #append(DeliveryAttempt)}, answering the sending line written for this attempt (which needs no
     * {@link #committed} then: the receipt takes over).
     */
    public Receipt append(DeliveryAttempt attempt, Optional<Receipt> sending) throws IOException {
        Map<String, Object> map = toMap(attempt);
        sending.ifPresent(s -> map.put(ANSWERS, s.id()));
        Receipt receipt = write(map, true, "");
        sending.ifPresent(this::committed);
        long sequence;
        synchronized (this) {
            sequence = written[receipt.file()];
        }
        int file = receipt.file();
        synchronized (forceLock) {
            if (forced[file] < sequence) {
                long upTo;
                synchronized (this) {
                    upTo = written[file];
                }
                channels[file].force(false);
                forced[file] = upTo;
            }
        }
        return receipt;
    }

    /**
     * Writes that the end of the content of this attempt is about to be sent (no {@code fsync}, see the class
     * comment); answer it with {@link #append(DeliveryAttempt, Optional)} when the server accepts the content, else
     * with {@link #answered}.
     */
    public Receipt appendSending(DeliveryAttempt attempt) throws IOException {
        Map<String, Object> map = toMap(attempt);
        map.remove("reply");
        String id;
        synchronized (this) {
            id = run + "-" + (++sendingCount);
        }
        map.put(KIND, SENDING);
        map.put("id", id);
        return write(map, true, id);
    }

    /** The attempt of this sending line ended with a reply other than acceptance, or without one (no {@code fsync}). */
    public void answered(Receipt sending) throws IOException {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put(KIND, ANSWERED);
        map.put("id", sending.id());
        try {
            write(map, false, "");
        } finally {
            committed(sending);
        }
    }

    private Receipt write(Map<String, Object> entry, boolean held, String id) throws IOException {
        Instant now = Instant.now();
        entry.put("written", now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000); // µs: diagnostics (how long a reply took)
        ByteBuffer line = ByteBuffer.wrap((JSON.writeValueAsString(entry) + "\n").getBytes(StandardCharsets.UTF_8));
        synchronized (this) {
            int other = 1 - current;
            if (channels[current].size() >= rotateBytes && inFlight[other] == 0) {
                channels[other].truncate(0);
                current = other;
            }
            int file = current;
            while (line.hasRemaining()) {
                channels[file].write(line);
            }
            if (held) {
                inFlight[file]++;
            }
            ++written[file];
            return new Receipt(file, id);
        }
    }

    /** The receipt's attempt is in the Delivery log: its file may be emptied. */
    public synchronized void committed(Receipt receipt) {
        inFlight[receipt.file()]--;
    }

    /** Bytes in the two files (for tests and diagnostics). */
    public synchronized long size() throws IOException {
        return channels[0].size() + channels[1].size();
    }

    @Override
    public synchronized void close() {
        for (FileChannel channel : channels) {
            try {
                channel.close();
            } catch (IOException e) {
                LOGGER.warn("Cannot close the delivery receipts journal: {}", e.getMessage());
            }
        }
    }

    private static List<Map<String, Object>> read(Path path) throws IOException {
        List<Map<String, Object>> attempts = new ArrayList<>();
        if (!Files.exists(path)) {
            return attempts;
        }
        try (BufferedReader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                try {
                    Map<String, Object> entry = JSON.readValue(line, new TypeReference<LinkedHashMap<String, Object>>() { });
                    if (!ANSWERED.equals(entry.get(KIND))) {
                        fromMap(entry, DeliveryAttempt.Outcome.DELIVERED); // complete enough to be used
                    }
                    attempts.add(entry);
                } catch (IOException | RuntimeException torn) {
                    LOGGER.warn("Ignoring an unreadable delivery receipt in {} (torn by a crash?): {}", path, torn.getMessage());
                }
            }
        }
        return attempts;
    }

    private static Map<String, Object> toMap(DeliveryAttempt attempt) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("at", attempt.at().toEpochMilli());
        map.put("trackingId", attempt.trackingId().orElse(null));
        map.put("mailName", attempt.mailName());
        map.put("sender", attempt.sender());
        map.put("recipients", attempt.recipients());
        map.put("attempt", attempt.attemptNumber());
        map.put("host", attempt.host().orElse(null));
        map.put("ip", attempt.ip().orElse(null));
        map.put("tls", attempt.tls().name());
        map.put("reply", attempt.reply().raw());
        return map;
    }

    @SuppressWarnings("unchecked")
    private static DeliveryAttempt fromMap(Map<String, Object> map, DeliveryAttempt.Outcome outcome) {
        return new DeliveryAttempt(0, Instant.ofEpochMilli(((Number) map.get("at")).longValue()),
            Optional.ofNullable((String) map.get("trackingId")), (String) map.get("mailName"), (String) map.get("sender"),
            (List<String>) map.get("recipients"), ((Number) map.get("attempt")).intValue(), Optional.ofNullable((String) map.get("host")),
            Optional.ofNullable((String) map.get("ip")), DeliveryAttempt.Tls.valueOf((String) map.get("tls")),
            SmtpReply.parse(outcome == DeliveryAttempt.Outcome.DELIVERED ? (String) map.get("reply") : CUT_OFF_REPLY), outcome);
    }
}
