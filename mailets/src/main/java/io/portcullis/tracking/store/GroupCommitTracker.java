package io.portcullis.tracking.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.portcullis.tracking.MessageInfo;
import io.portcullis.tracking.MessageTracker;
import io.portcullis.tracking.OutboxEntry;
import io.portcullis.tracking.TrackedEvent;
import io.portcullis.tracking.TrackingException;

/**
 * {@link MessageTracker} on the gateway store with group commit: one writer thread takes every event queued
 * while the previous transaction was committing and writes them all in one transaction, so concurrent SMTP
 * sessions and spool threads share commits instead of each paying for one. {@link #record} blocks until the
 * transaction holding its event has committed (at most {@code maxWait}); when the write fails or the wait
 * expires it throws {@link TrackingException}: an event is never acknowledged without being durable.
 *
 * <p>When a batch fails, its events are retried one transaction each, so one bad event fails only its own caller.
 */
public class GroupCommitTracker implements MessageTracker, AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(GroupCommitTracker.class);

    private record Pending(TrackingDao.Write write, CompletableFuture<Void> done) {
    }

    private static final Pending STOP = new Pending(null, null);

    private final TrackingDao dao;
    private final int maxBatch;
    private final Duration maxWait;
    private final BlockingQueue<Pending> queue;
    private final Thread writer;
    private volatile boolean closed;

    public GroupCommitTracker(TrackingDao dao, int maxBatch, Duration maxWait) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be at least 1, got " + maxBatch);
        }
        this.dao = dao;
        this.maxBatch = maxBatch;
        this.maxWait = maxWait;
        this.queue = new LinkedBlockingQueue<>();
        this.writer = new Thread(this::run, "portcullis-tracking-writer");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    @Override
    public void record(TrackedEvent event) {
        record(event, MessageInfo.unknown());
    }

    @Override
    public void record(TrackedEvent event, MessageInfo message) {
        if (closed) {
            throw new TrackingException("Tracking store is closed: event " + event.type() + " of " + event.trackingId() + " not recorded");
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        queue.add(new Pending(new TrackingDao.Write(event, message), done));
        try {
            done.get(maxWait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new TrackingException("Tracking event " + event.type() + " of " + event.trackingId() + " not confirmed within "
                + maxWait.toMillis() + " ms: the gateway store is too slow or unreachable", e);
        } catch (ExecutionException e) {
            throw new TrackingException("Tracking event " + event.type() + " of " + event.trackingId() + " could not be stored: "
                + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TrackingException("Interrupted while recording " + event.type() + " of " + event.trackingId(), e);
        }
    }

    /**
     * Queues the event with its outbox entry and returns at once: the entry is taken in the transaction that stores
     * the event (see {@link MessageTracker#recordQueued}). After {@link #close()} the future fails and the entry stays.
     */
    @Override
    public CompletableFuture<Void> recordQueued(TrackedEvent event, OutboxEntry entry) {
        if (closed) {
            return CompletableFuture.failedFuture(new TrackingException("Tracking store is closed: event " + event.type() + " of "
                + event.trackingId() + " left in its outbox"));
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        queue.add(new Pending(new TrackingDao.Write(event, MessageInfo.unknown(), entry), done));
        return done;
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(maxBatch);
        while (true) {
            try {
                Pending first = queue.take();
                batch.add(first);
                queue.drainTo(batch, maxBatch - 1);
                boolean stop = batch.remove(STOP);
                if (!batch.isEmpty()) {
                    commit(batch);
                }
                batch.clear();
                if (stop) {
                    return;
                }
            } catch (InterruptedException e) {
                fail(batch, e);
                return;
            } catch (RuntimeException e) {
                LOGGER.error("Tracking writer failed unexpectedly", e);
                fail(batch, e);
                batch.clear();
            }
        }
    }

    private void commit(List<Pending> batch) {
        try {
            dao.writeAll(batch.stream().map(Pending::write).toList());
            batch.forEach(p -> p.done().complete(null));
        } catch (Exception batchFailure) {
            if (batch.size() == 1) {
                LOGGER.warn("Tracking event could not be stored: {}", batchFailure.getMessage());
                batch.get(0).done().completeExceptionally(batchFailure);
                return;
            }
            LOGGER.warn("Tracking batch of {} events failed ({}); retrying them one by one", batch.size(), batchFailure.getMessage());
            for (Pending pending : batch) {
                try {
                    dao.writeAll(List.of(pending.write()));
                    pending.done().complete(null);
                } catch (Exception e) {
                    LOGGER.warn("Tracking event {} of {} could not be stored: {}", pending.write().event().type(),
                        pending.write().event().trackingId(), e.getMessage());
                    pending.done().completeExceptionally(e);
                }
            }
        }
    }

    private static void fail(List<Pending> batch, Exception cause) {
        batch.stream().filter(p -> p != STOP).forEach(p -> p.done().completeExceptionally(cause));
    }

    /** Writes what is queued, then stops the writer. Later {@link #record} calls fail. */
    @Override
    public void close() {
        closed = true;
        queue.add(STOP);
        try {
            writer.join(maxWait.toMillis() + 5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Pending> left = new ArrayList<>();
        queue.drainTo(left);
        fail(left, new TrackingException("Tracking store closed"));
    }
}
