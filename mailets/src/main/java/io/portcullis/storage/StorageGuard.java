package io.portcullis.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.james.lifecycle.api.Startable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The free space of every filesystem the gateway writes (mail queue, mailboxes, gateway store, mail repositories,
 * logs), measured at most once per {@code storage.checkInterval} and shared by the SMTP hook
 * ({@link RefuseWhenStorageLow}), the spool gate ({@link StorageGatedMailQueueFactory}), the retry of mail whose
 * processing failed for lack of space ({@link RetryOnStorageFailure}) and the health check
 * ({@link StorageHealthCheck}).
 * <p>
 * Two thresholds: SMTP refuses new mail below {@link StorageConfiguration#smtpThreshold}, which leaves room for the
 * spool to finish everything already queued; the spooler stops taking mail from the queues below
 * {@code storage.spoolMinFree}, so that a mail is never started when it cannot be written. Each change of state is
 * logged once (what is full, what the gateway does), and once again when space returns.
 */
public class StorageGuard implements Startable {
    private static final Logger LOGGER = LoggerFactory.getLogger(StorageGuard.class);

    /** One filesystem and the watched paths on it, with its usable space when measured. */
    public record Volume(String store, List<Path> paths, long usableBytes) {
        public String describe() {
            return paths.stream().map(Path::toString).collect(Collectors.joining(", ")) + " (filesystem " + store + ")";
        }
    }

    /** The free space of every watched filesystem and the bytes waiting in the mail queues. */
    public record Measure(List<Volume> volumes, long queuedBytes) {
        public Volume fullest() {
            return volumes.stream().min(Comparator.comparingLong(Volume::usableBytes)).orElseThrow();
        }
    }

    /** A filesystem with less free space than a threshold asks for. */
    public record Shortage(Volume volume, long requiredBytes, long queuedBytes) {
        public String describe() {
            return volume.describe() + " has " + human(volume.usableBytes()) + " free, " + human(requiredBytes) + " needed";
        }
    }

    private final StorageConfiguration configuration;
    private final List<Path> watched;
    private final List<Path> queueContent;
    private final LongSupplier nanoClock;
    private final AtomicLong largestMessageSize = new AtomicLong();
    private Measure measure;
    private long measuredAt;
    private boolean smtpRefusing;
    private boolean spoolPaused;

    /**
     * @param watched      directories the gateway writes (a missing one is measured on its nearest existing parent)
     * @param queueContent directories holding the content of queued mail, whose size is the "queued bytes"
     */
    public StorageGuard(StorageConfiguration configuration, List<Path> watched, List<Path> queueContent, LongSupplier nanoClock) {
        if (watched.isEmpty()) {
            throw new IllegalArgumentException("no directory to watch");
        }
        this.configuration = configuration;
        this.watched = List.copyOf(watched);
        this.queueContent = List.copyOf(queueContent);
        this.nanoClock = nanoClock;
    }

    public StorageConfiguration configuration() {
        return configuration;
    }

    /** The current measure, taken again when the previous one is older than {@code storage.checkInterval}. */
    public synchronized Measure measure() {
        long now = nanoClock.getAsLong();
        if (measure == null || now - measuredAt >= configuration.checkInterval().toNanos()) {
            measure = new Measure(volumes(), queuedBytes());
            measuredAt = now;
        }
        return measure;
    }

    /**
     * Whether SMTP must refuse a new message now: the first filesystem below the SMTP threshold for a server
     * accepting messages of up to {@code maxMessageSize} bytes (0: unlimited, the fixed minimum alone counts).
     */
    public synchronized Optional<Shortage> smtpShortage(long maxMessageSize) {
        largestMessageSize.accumulateAndGet(maxMessageSize, Math::max);
        Measure current = measure();
        long required = configuration.smtpThreshold(maxMessageSize, current.queuedBytes());
        Optional<Shortage> shortage = below(current, required);
        if (shortage.isPresent() && !smtpRefusing) {
            smtpRefusing = true;
            LOGGER.warn("Storage low: {} (max({}, {} x largest message) + {} x {} queued): SMTP now refuses new mail with 452 4.3.1;"
                    + " the spool goes on with what is queued. Free some space or enlarge the filesystem.",
                shortage.get().describe(), human(configuration.minFreeBytes()), configuration.messageSizeFactor(),
                configuration.queuedFactor(), human(current.queuedBytes()));
        } else if (shortage.isEmpty() && smtpRefusing) {
            smtpRefusing = false;
            LOGGER.warn("Storage back: every watched filesystem has at least {} free; SMTP accepts mail again", human(required));
        }
        return shortage;
    }

    /** The SMTP shortage for the largest message size the SMTP servers asked about so far. */
    public Optional<Shortage> smtpShortage() {
        return smtpShortage(largestMessageSize.get());
    }

    /** Whether the spooler must wait: a filesystem below {@code storage.spoolMinFree}. */
    public synchronized Optional<Shortage> spoolShortage() {
        Optional<Shortage> shortage = below(measure(), configuration.spoolMinFreeBytes());
        if (shortage.isPresent() && !spoolPaused) {
            spoolPaused = true;
            LOGGER.warn("Storage nearly full: {}: the spooler stops taking mail from the queues; queued mail stays queued"
                + " (nothing is lost) and is processed when space returns", shortage.get().describe());
        } else if (shortage.isEmpty() && spoolPaused) {
            spoolPaused = false;
            LOGGER.warn("Storage back above {} on every watched filesystem: the spooler takes mail from the queues again",
                human(configuration.spoolMinFreeBytes()));
        }
        return shortage;
    }

    private static Optional<Shortage> below(Measure measure, long required) {
        Volume fullest = measure.fullest();
        return fullest.usableBytes() < required ? Optional.of(new Shortage(fullest, required, measure.queuedBytes())) : Optional.empty();
    }

    private List<Volume> volumes() {
        Map<FileStore, List<Path>> byStore = new LinkedHashMap<>();
        for (Path path : watched) {
            try {
                byStore.computeIfAbsent(Files.getFileStore(existing(path)), store -> new ArrayList<>()).add(path);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot find the filesystem of " + path, e);
            }
        }
        List<Volume> volumes = new ArrayList<>();
        for (Map.Entry<FileStore, List<Path>> entry : byStore.entrySet()) {
            try {
                volumes.add(new Volume(entry.getKey().toString(), List.copyOf(entry.getValue()), entry.getKey().getUsableSpace()));
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot measure the free space of " + entry.getKey(), e);
            }
        }
        return volumes;
    }

    private static Path existing(Path path) {
        Path candidate = path.toAbsolutePath();
        while (candidate != null && !Files.exists(candidate)) {
            candidate = candidate.getParent();
        }
        if (candidate == null) {
            throw new UncheckedIOException(new IOException("no existing parent of " + path));
        }
        return candidate;
    }

    private long queuedBytes() {
        long total = 0;
        for (Path directory : queueContent) {
            if (Files.isDirectory(directory)) {
                try (Stream<Path> files = Files.walk(directory)) {
                    total += files.mapToLong(StorageGuard::sizeOrZero).sum();
                } catch (IOException | UncheckedIOException e) {
                    // a queued file removed while walking: count what is left
                    LOGGER.debug("Walking {} for the queued bytes: {}", directory, e.toString());
                }
            }
        }
        return total;
    }

    private static long sizeOrZero(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0; // consumed meanwhile
        }
    }

    static String human(long bytes) {
        if (bytes >= 1024L * 1024 * 1024) {
            return String.format("%.1f GiB", bytes / (1024.0 * 1024 * 1024));
        }
        if (bytes >= 1024L * 1024) {
            return String.format("%.1f MiB", bytes / (1024.0 * 1024));
        }
        if (bytes >= 1024) {
            return String.format("%.1f KiB", bytes / 1024.0);
        }
        return bytes + " B";
    }
}
