package io.portcullis.quarantine;

/** The quarantine store or the mail queue failed; nothing was lost, the action can be repeated. */
public class QuarantineException extends RuntimeException {
    public QuarantineException(String message, Throwable cause) {
        super(message, cause);
    }
}
