package io.portcullis.tracking;

/** A tracking event could not be made durable: the caller must not consider it recorded. */
public class TrackingException extends RuntimeException {
    public TrackingException(String message, Throwable cause) {
        super(message, cause);
    }

    public TrackingException(String message) {
        super(message);
    }
}
