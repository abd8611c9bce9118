package io.portcullis.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StorageGuardTest {
    private static final long EXABYTE = 1L << 60;

    @TempDir
    Path dir;

    private final AtomicLong clock = new AtomicLong();

    private StorageGuard guard(long minFree, long spoolMinFree) {
        return new StorageGuard(new StorageConfiguration(minFree, 2, 3, spoolMinFree, Duration.ofSeconds(1)),
            List.of(dir.resolve("var"), dir.resolve("var/derby"), dir.resolve("logs")), List.of(dir.resolve("queue")), clock::get);
    }

    @Test
    void smtpShortageShouldNameTheFilesystemWhenTheThresholdIsAboveTheFreeSpace() {
        StorageGuard guard = guard(EXABYTE, 0);

        StorageGuard.Shortage shortage = guard.smtpShortage(1024).orElseThrow();

        assertThat(shortage.requiredBytes()).isEqualTo(EXABYTE);
        assertThat(shortage.volume().paths()).contains(dir.resolve("var"), dir.resolve("logs"));
        assertThat(shortage.describe()).contains(dir.toString()).contains("free").contains("needed");
    }

    @Test
    void smtpShortageShouldBeEmptyWhenThereIsRoom() {
        assertThat(guard(1, 0).smtpShortage(1)).isEmpty();
        assertThat(guard(1, 0).spoolShortage()).isEmpty();
    }

    @Test
    void spoolShortageShouldFollowTheSpoolMinimum() {
        assertThat(guard(EXABYTE, EXABYTE - 1).spoolShortage()).isPresent();
    }

    @Test
    void measureShouldCountQueuedBytesAndBeReusedForTheCheckInterval() throws Exception {
        Files.createDirectories(dir.resolve("queue/sub"));
        Files.write(dir.resolve("queue/sub/blob-1"), new byte[1000]);
        StorageGuard guard = guard(1, 0);

        assertThat(guard.measure().queuedBytes()).isEqualTo(1000);
        Files.write(dir.resolve("queue/blob-2"), new byte[500]);
        clock.addAndGet(Duration.ofMillis(900).toNanos());
        assertThat(guard.measure().queuedBytes()).isEqualTo(1000);
        clock.addAndGet(Duration.ofMillis(200).toNanos());
        assertThat(guard.measure().queuedBytes()).isEqualTo(1500);
    }

    @Test
    void smtpThresholdShouldGrowWithTheQueuedBytes() throws Exception {
        Files.createDirectories(dir.resolve("queue"));
        long free = Files.getFileStore(dir).getUsableSpace();
        Files.write(dir.resolve("queue/blob"), new byte[10]);
        // fixed minimum 200 MiB below the free space: room without queued mail, none once 100 Mi x 10 queued bytes are added
        StorageGuard guard = new StorageGuard(new StorageConfiguration(free - 200L * 1024 * 1024, 0, 100.0 * 1024 * 1024, 0, Duration.ZERO),
            List.of(dir), List.of(dir.resolve("queue")), clock::get);

        assertThat(guard.smtpShortage(0)).isPresent();
        Files.delete(dir.resolve("queue/blob"));
        assertThat(guard.smtpShortage(0)).isEmpty();
    }
}
