package io.portcullis.delivery.smtp;

import org.apache.james.core.MailAddress;

/** Asks the downstream server whether a recipient exists (recipient verification at RCPT time). */
public interface RecipientVerifier {
    enum Answer {
        /** The downstream server accepts the recipient. */
        EXISTS,
        /** The downstream server refuses the recipient permanently (5xx to RCPT). */
        UNKNOWN,
        /** No answer: unreachable, timeout, 4xx, refusal before RCPT. Never a reason to refuse for good. */
        UNAVAILABLE
    }

    /** @param detail the downstream's reply or the error, for logs and the tracking event */
    record Verdict(Answer answer, String detail) {
    }

    Verdict verify(MailAddress recipient);
}
