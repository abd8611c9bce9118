package io.portcullis.delivery;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * How mail for one of our domains is delivered once filtered.
 * <ul>
 *   <li>{@code forward}: spam-filter mode, every recipient is relayed to the downstream (corporate) server;</li>
 *   <li>{@code local}: standalone mode, local mailboxes read over IMAP / POP3;</li>
 *   <li>{@code hybrid}: a local mailbox when the user exists here, otherwise the downstream server.</li>
 * </ul>
 */
public enum DeliveryMode {
    FORWARD, LOCAL, HYBRID;

    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<DeliveryMode> parse(String value) {
        String trimmed = value == null ? "" : value.trim();
        return Arrays.stream(values()).filter(mode -> mode.value().equalsIgnoreCase(trimmed)).findFirst();
    }
}
