package io.portcullis.delivery;

import java.util.Locale;

/**
 * Explains in words the common replies of receiving servers ("Why did my message fail?"), shown next
 * to the raw reply in the Delivery log and the message detail. The enhanced status code decides first
 * (RFC 3463), then the basic code, then words of the text.
 */
public final class FailureReasons {
    private FailureReasons() {
    }

    public static String explain(String rawReply) {
        return explain(SmtpReply.parse(rawReply));
    }

    public static String explain(SmtpReply reply) {
        String text = reply.text().toLowerCase(Locale.ROOT);
        String enhanced = reply.enhancedCode().orElse("");
        int code = reply.code().orElse(0);
        if (code == 0) {
            if (text.contains("refused") || text.contains("timed out") || text.contains("timeout") || text.contains("unknown host")
                || text.contains("no route") || text.contains("couldn't connect") || text.contains("could not connect")) {
                return "The receiving server could not be reached (connection refused, timed out or no route); delivery is retried.";
            }
            if (text.contains("not observed")) {
                return text.startsWith("accepted") ? "Accepted by the receiving server." : "The reply travelled encrypted (TLS) and could not be read here; see the receiving server's log.";
            }
            if (text.contains("the gateway stopped")) {
                return "The gateway stopped (crash or kill) before it read the reply to the message content: the receiving server may "
                    + "have accepted the message, so the next delivery may give its recipients a second copy.";
            }
            if (text.contains("pending timeout")) {
                return "The message waited longer than the pending timeout and was returned to its sender.";
            }
            return "No reply from the receiving server: a network or local problem; see the text.";
        }
        if (code >= 200 && code < 300) {
            return "Accepted by the receiving server.";
        }
        if (enhanced.startsWith("5.1.1") || enhanced.startsWith("4.1.1") || text.contains("user unknown")
            || text.contains("unknown user") || text.contains("invalid recipient") || text.contains("no such user")
            || text.contains("user invalid") || text.contains("doesn't have a") || text.contains("recipient address rejected")) {
            return "The recipient's address does not exist on the receiving server (user unknown): check the spelling of the address.";
        }
        if (enhanced.endsWith(".3.4") || enhanced.equals("5.2.3") || code == 552 || text.contains("size exceeds") || text.contains("too large")) {
            return "The message is larger than the receiving server accepts (size limit exceeded): send smaller attachments.";
        }
        if (enhanced.equals("5.2.2") || enhanced.equals("4.2.2") || text.contains("mailbox full") || text.contains("quota")) {
            return "The recipient's mailbox is full.";
        }
        if (code == 553 || enhanced.startsWith("5.1.3") || enhanced.startsWith("4.2.1") || text.contains("syntax")) {
            return "The receiving server refused an address as badly formed (syntax error).";
        }
        if (enhanced.startsWith("5.7") || text.contains("denied by policy") || text.contains("policy") || text.contains("relay")
            || text.contains("refused") || text.contains("blocked")) {
            return "The receiving server refused the message by policy (sender, content or relaying not allowed there).";
        }
        if (code == 550) {
            return "The receiving server did not take the action: the mailbox is unavailable or access to it was refused.";
        }
        if (code == 554) {
            return "The receiving server refused the delivery (transaction failed); the text says why.";
        }
        if (code == 421) {
            return "The receiving server is not available right now (service shutting down or overloaded); delivery is retried.";
        }
        if (code >= 400 && code < 500) {
            return "Temporary failure at the receiving server (busy, greylisting or a local problem there); delivery is retried.";
        }
        if (code >= 500) {
            return "Permanent failure: the receiving server refused the message; it is returned to its sender.";
        }
        return "Unexpected reply from the receiving server.";
    }
}
