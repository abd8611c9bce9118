package io.portcullis.delivery;

/** Where one recipient of one of our domains goes. */
public enum DeliveryRoute {
    /** Local mailbox (LocalDelivery). */
    LOCAL,
    /** Downstream server (RemoteDelivery with the downstream as gateway). */
    FORWARD,
    /** Neither: a local-mode domain without such a user (local-address-error). */
    NONE
}
