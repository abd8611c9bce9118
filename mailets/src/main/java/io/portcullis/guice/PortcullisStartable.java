package io.portcullis.guice;

import javax.inject.Inject;

import org.apache.james.utils.UserDefinedStartable;

import io.portcullis.quarantine.QuarantineScheduler;

/**
 * For an existing James: starts the tracking retention purge and the quarantine expiry scheduler, which the
 * bundled server starts itself. List it in {@code extensions.properties}:
 * {@code guice.extension.startable=io.portcullis.guice.PortcullisStartable} (with
 * {@code TrackingServicesModule} and {@code QuarantineServicesModule} in {@code guice.extension.module}).
 */
public class PortcullisStartable implements UserDefinedStartable {
    private final TrackingLifecycle tracking;
    private final QuarantineScheduler quarantine;

    @Inject
    public PortcullisStartable(TrackingLifecycle tracking, QuarantineScheduler quarantine) {
        this.tracking = tracking;
        this.quarantine = quarantine;
    }

    @Override
    public void start() {
        tracking.start();
        quarantine.start();
    }
}
