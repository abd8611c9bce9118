package io.portcullis.delivery;

import javax.inject.Inject;

import org.apache.james.utils.GuiceProbe;

/** Reaches the delivery services of the running server from tests. */
public class DeliveryProbe implements GuiceProbe {
    final PendingTimeouts timeouts;
    final DeliveryLog deliveryLog;
    final PendingLog pendingLog;

    @Inject
    public DeliveryProbe(PendingTimeouts timeouts, DeliveryLog deliveryLog, PendingLog pendingLog) {
        this.timeouts = timeouts;
        this.deliveryLog = deliveryLog;
        this.pendingLog = pendingLog;
    }
}
