package io.portcullis.tracking;

import java.util.Arrays;
import java.util.Optional;

/**
 * Reject reasons, each with the system name shown in brackets in the administrator's list and
 * stored in the tracking store ({@code spam:relayingdenied}, {@code smtp:oversized}, ...).
 */
public enum RejectReason {
    BAD_REPUTATION("Bad Reputation", "TRUSTmanager:reject"),
    BANNED_SENDER("Banned Sender", "spam:bannedsender"),
    CONFIRMED_JUNK("Confirmed Junk Email", "spam:confirmedjunkemail"),
    CONFIRMED_PHISHING("Confirmed Phishing Email", "spam:confirmedphishingemail"),
    DKIM("DKIM", "spam:dkimhardfail"),
    DMARC("DMARC", "spam:dmarcreject"),
    UNRESOLVABLE_SENDER_DOMAIN("Domain of Sender Address Does Not exist", "spam:unresolvablesenderdomain"),
    GREYLISTED("Grey Listed", "spam:greylisted"),
    HOST_DENIED("Host Denied", "spam:hostdenied"),
    INSUFFICIENT_STORAGE("Insufficient System Storage", "smtp:insufficientstorage"),
    OTHER("Other Reject Reason", "spam:otherrejectreason"),
    OVERSIZED("Oversized messages", "smtp:oversized"),
    RBL("Real-time Blacklist", "spam:rbllookup"),
    RECIPIENT_VERIFICATION("Recipient Verification", "spam:recipientverification"),
    RELAYING_DENIED("Relaying Denied", "spam:relayingdenied"),
    SPOOFED_SENDER("Sender Spoofed", "spam:spoofedsender"),
    SMTP_AUTH_ERROR("SMTP Auth Error", "SMTP Auth:error"),
    SPF("SPF Fail", "spam:spf"),
    SUSPECTED_JUNK("Suspected Junk Email", "spam:suspectedjunkemail"),
    SUSPECTED_PHISHING("Suspected Phishing Email", "spam:suspectedphishingemail"),
    TLS_AUTHENTICATION_FAILED("TLS Authentication Failed", "TLS:authenticationfailed");

    private final String label;
    private final String systemName;

    RejectReason(String label, String systemName) {
        this.label = label;
        this.systemName = systemName;
    }

    public String label() {
        return label;
    }

    public String systemName() {
        return systemName;
    }

    /** Parses a system name, an enum name or a label, case-insensitively. */
    public static Optional<RejectReason> parse(String value) {
        String trimmed = value.trim();
        return Arrays.stream(values())
            .filter(r -> r.systemName.equalsIgnoreCase(trimmed) || r.name().equalsIgnoreCase(trimmed) || r.label.equalsIgnoreCase(trimmed))
            .findFirst();
    }
}
