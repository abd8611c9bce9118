package io.portcullis.storage;

import java.util.Optional;
import java.util.stream.Collectors;

import javax.inject.Inject;

import org.apache.james.core.healthcheck.ComponentName;
import org.apache.james.core.healthcheck.HealthCheck;
import org.apache.james.core.healthcheck.Result;
import org.reactivestreams.Publisher;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The storage state in James's health checks ({@code GET /healthcheck}, component {@code Storage}): unhealthy
 * while the spooler is paused (a filesystem below {@code storage.spoolMinFree}), degraded while SMTP refuses new
 * mail (below the SMTP threshold), healthy otherwise; the cause names the filesystem and its free bytes.
 */
public class StorageHealthCheck implements HealthCheck {
    public static final ComponentName COMPONENT = new ComponentName("Storage");

    private final StorageGuard guard;

    @Inject
    public StorageHealthCheck(StorageGuard guard) {
        this.guard = guard;
    }

    @Override
    public ComponentName componentName() {
        return COMPONENT;
    }

    @Override
    public Publisher<Result> check() {
        return Mono.fromCallable(this::result).subscribeOn(Schedulers.boundedElastic());
    }

    Result result() {
        Optional<StorageGuard.Shortage> spool = guard.spoolShortage();
        if (spool.isPresent()) {
            return Result.unhealthy(COMPONENT, spool.get().describe() + ": the spooler is paused, SMTP refuses new mail with 452");
        }
        Optional<StorageGuard.Shortage> smtp = guard.smtpShortage();
        if (smtp.isPresent()) {
            return Result.degraded(COMPONENT, smtp.get().describe() + ": SMTP refuses new mail with 452, the spool goes on");
        }
        return Result.healthy(COMPONENT);
    }

    /** Free bytes of every watched filesystem, for logs and messages. */
    public String describe() {
        return guard.measure().volumes().stream().map(v -> v.describe() + ": " + StorageGuard.human(v.usableBytes()) + " free")
            .collect(Collectors.joining("; "));
    }
}
