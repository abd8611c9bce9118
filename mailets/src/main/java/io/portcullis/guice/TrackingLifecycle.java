package io.portcullis.guice;

import javax.annotation.PreDestroy;
import javax.inject.Inject;
import javax.inject.Singleton;

import org.apache.james.lifecycle.api.Startable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.portcullis.store.GatewayStore;
import io.portcullis.tracking.store.GroupCommitTracker;
import io.portcullis.tracking.store.TrackingOutbox;
import io.portcullis.tracking.store.TrackingPurge;

/**
 * Starts the tracking retention purge and the tracking outbox replay with the server; at shutdown stops them,
 * writes the events still queued and closes the gateway store (Derby shut down cleanly).
 */
@Singleton
public class TrackingLifecycle implements Startable {
    private static final Logger LOGGER = LoggerFactory.getLogger(TrackingLifecycle.class);

    private final GatewayStore store;
    private final GroupCommitTracker tracker;
    private final TrackingPurge purge;
    private final TrackingOutbox outbox;

    @Inject
    public TrackingLifecycle(GatewayStore store, GroupCommitTracker tracker, TrackingPurge purge, TrackingOutbox outbox) {
        this.store = store;
        this.tracker = tracker;
        this.purge = purge;
        this.outbox = outbox;
    }

    public void start() {
        purge.start();
        outbox.start();
    }

    @PreDestroy
    public void stop() {
        LOGGER.info("Stopping message tracking");
        purge.close();
        outbox.close();
        tracker.close();
        store.close();
    }
}
