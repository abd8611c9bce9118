package io.portcullis.scoring;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import javax.annotation.PreDestroy;

/**
 * Runs checks under a time limit on a bounded pool, so that a check that takes too long never holds the spool thread
 * that asked for it: at the limit the caller gets a {@link TimeoutException} and goes on, and the check is cancelled
 * (its thread interrupted: DNS waits and content rules stop on it). A check that ignores the interrupt keeps its
 * thread until it ends, and keeps its slot: at most {@link ScoringBudget#threads()} checks run at once, abandoned ones
 * included, and a caller that finds no free slot within its limit times out as well. Nothing piles up without bound.
 */
public final class CheckRunner implements AutoCloseable {
    /** The message of the timeout of a check that found no free thread (so it never ran). */
    public static final String NO_FREE_THREAD = "no free check thread";
    private static final AtomicInteger POOLS = new AtomicInteger();

    private final ScoringBudget budget;
    private final Semaphore slots;
    private final ThreadPoolExecutor executor;

    public CheckRunner(ScoringBudget budget) {
        this.budget = budget;
        this.slots = new Semaphore(budget.threads());
        int pool = POOLS.incrementAndGet();
        AtomicInteger threads = new AtomicInteger();
        ThreadFactory factory = runnable -> {
            Thread thread = new Thread(runnable, "portcullis-check-" + pool + "-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
        this.executor = new ThreadPoolExecutor(budget.threads(), budget.threads(), 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), factory);
        this.executor.allowCoreThreadTimeOut(true);
    }

    public ScoringBudget budget() {
        return budget;
    }

    /** Checks running now (or abandoned and still running). */
    public int running() {
        return budget.threads() - slots.availablePermits();
    }

    /**
     * The findings of {@code check}, or a {@link TimeoutException} when it did not end within {@code limit} (then it is
     * cancelled); what it threw comes as an {@link ExecutionException}.
     */
    public List<Finding> run(Callable<List<Finding>> check, Duration limit) throws TimeoutException, ExecutionException, InterruptedException {
        long deadline = System.nanoTime() + Math.max(0, limit.toNanos());
        if (!slots.tryAcquire(Math.max(0, limit.toNanos()), TimeUnit.NANOSECONDS)) {
            throw new TimeoutException(NO_FREE_THREAD);
        }
        // exactly one of the task (when it starts) and the canceller (when it never started) gives the slot back
        AtomicBoolean claimed = new AtomicBoolean();
        FutureTask<List<Finding>> task = new FutureTask<>(() -> {
            if (!claimed.compareAndSet(false, true)) {
                return List.of();
            }
            try {
                return check.call();
            } finally {
                slots.release();
            }
        });
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            if (claimed.compareAndSet(false, true)) {
                slots.release();
            }
            throw new ExecutionException("check threads shut down", e);
        }
        try {
            return task.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | InterruptedException e) {
            task.cancel(true);
            executor.remove(task);
            if (claimed.compareAndSet(false, true)) {
                slots.release();
            }
            throw e;
        }
    }

    @PreDestroy
    @Override
    public void close() {
        executor.shutdownNow();
    }
}
