package io.portcullis.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.annotation.PreDestroy;
import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.lifecycle.api.Startable;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.portcullis.direction.Direction;
import io.portcullis.lifecycle.DaemonScheduler;

/**
 * Pending timeouts: outbound mail still waiting for delivery after {@code pending.outboundTimeout}
 * (24 h) and inbound mail after {@code pending.inboundTimeout} (7 days) is bounced to its sender, through the
 * bounce processor, with its last error. Runs every {@code pending.checkInterval}; the clock is injected so tests
 * move time instead of waiting. Mail in the spool is being processed and is left alone.
 */
public class PendingTimeouts implements Startable {
    private static final Logger LOGGER = LoggerFactory.getLogger(PendingTimeouts.class);

    private final PendingLog pendingLog;
    private final DeliveryConfiguration configuration;
    private final Clock clock;
    private ScheduledExecutorService scheduler;

    @Inject
    public PendingTimeouts(PendingLog pendingLog, DeliveryConfiguration configuration, Clock clock) {
        this.pendingLog = pendingLog;
        this.configuration = configuration;
        this.clock = clock;
    }

    public synchronized void start() {
        if (scheduler != null) {
            return;
        }
        scheduler = DaemonScheduler.single("portcullis-pending-timeouts");
        long interval = configuration.checkInterval().toMillis();
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                runOnce();
            } catch (RuntimeException e) {
                LOGGER.error("Pending timeout check failed", e);
            }
        }, interval, interval, TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    public synchronized void stop() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
    }

    /** Bounces every mail past its timeout; returns the names of the bounced mails. */
    public List<String> runOnce() {
        Instant now = clock.instant();
        List<String> expired = new ArrayList<>();
        for (String queueName : configuration.pendingQueues()) {
            if (queueName.equals(MailQueueFactory.SPOOL.asString())) {
                continue;
            }
            pendingLog.queue(queueName).ifPresent(queue -> {
                List<String> names = new ArrayList<>();
                pendingLog.browse(queue, (mail, next) -> {
                    if (!PendingLog.since(mail).plus(timeout(mail)).isAfter(now)) {
                        names.add(mail.getName());
                    }
                });
                for (String name : names) {
                    try {
                        bounce(queue, name);
                        expired.add(name);
                    } catch (MessagingException | RuntimeException e) {
                        LOGGER.error("Pending mail {} past its timeout could not be bounced; it stays queued", name, e);
                    }
                }
            });
        }
        return expired;
    }

    private void bounce(ManageableMailQueue queue, String name) throws MessagingException {
        pendingLog.bounceIfPresent(name, mail -> "Pending timeout: not delivered within " + describe(timeout(mail))
            + " (" + PendingLog.direction(mail).value() + ")");
    }

    private Duration timeout(Mail mail) {
        return PendingLog.direction(mail) == Direction.OUTBOUND ? configuration.outboundTimeout() : configuration.inboundTimeout();
    }

    private static String describe(Duration duration) {
        if (duration.toDays() > 0 && duration.toHours() % 24 == 0) {
            return duration.toDays() + " days";
        }
        if (duration.toHours() > 0 && duration.toMinutes() % 60 == 0) {
            return duration.toHours() + " hours";
        }
        return duration.toMinutes() + " minutes";
    }
}
