package io.portcullis.delivery;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.annotation.PreDestroy;
import javax.inject.Inject;

import org.apache.james.lifecycle.api.Startable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores the DELIVERED tracking events the Delivery log still owes (V12, see
 * {@link DeliveryRecorder#replayOwedEvents}): once when the server starts (what a crash or {@code kill -9} left
 * between the receiving server's acceptance and the tracking commit), then every minute for events owed for more
 * than a minute (a tracking write that failed). Each owed event is stored exactly once.
 */
public class OwedEventReplay implements Startable {
    private static final Logger LOGGER = LoggerFactory.getLogger(OwedEventReplay.class);
    static final Duration INTERVAL = Duration.ofMinutes(1);

    private final DeliveryRecorder recorder;
    private final Clock clock;
    private ScheduledExecutorService scheduler;

    @Inject
    public OwedEventReplay(DeliveryRecorder recorder, Clock clock) {
        this.recorder = recorder;
        this.clock = clock;
    }

    public synchronized void start() {
        if (scheduler != null) {
            return;
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "portcullis-owed-delivery-events");
            thread.setDaemon(true);
            return thread;
        });
        scheduler.execute(() -> replay(Duration.ZERO));
        scheduler.scheduleWithFixedDelay(() -> replay(INTERVAL), INTERVAL.toMillis(), INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void replay(Duration minimumAge) {
        try {
            int owed = recorder.replayOwedEvents(clock.instant().minus(minimumAge));
            if (owed > 0) {
                LOGGER.info("Stored {} delivered event(s) the Delivery log still owed to message tracking", owed);
            }
        } catch (RuntimeException e) {
            LOGGER.error("Owed delivered events not stored yet (tried again in {} s): {}", INTERVAL.toSeconds(), e.getMessage(), e);
        }
    }

    @PreDestroy
    public synchronized void stop() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
    }
}
