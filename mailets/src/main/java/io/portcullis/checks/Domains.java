package io.portcullis.checks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import javax.mail.internet.AddressException;
import javax.mail.internet.InternetAddress;

import com.google.common.net.InetAddresses;
import com.google.common.net.InternetDomainName;

/** Domain helpers shared by the checks. */
public final class Domains {
    /** Answers of {@link #registeredDomain} (a pure function of its argument, costly: public suffix list walk), bounded. */
    private static final Map<String, String> REGISTERED = new ConcurrentHashMap<>();
    private static final int MAX_CACHED = 4096;
    private static final int MAX_CACHED_LENGTH = 255;
    private static final int MAX_SHOWN = 200;

    private Domains() {
    }

    /**
     * The registered (organizational) domain: public suffix + one label ({@code mail.example.co.uk} →
     * {@code example.co.uk}); for a suffix the public suffix list does not know (e.g. {@code .example}), the last
     * two labels.
     */
    public static String registeredDomain(String host) {
        if (host.length() > MAX_CACHED_LENGTH) {
            return computeRegisteredDomain(host);
        }
        String cached = REGISTERED.get(host);
        if (cached == null) {
            cached = computeRegisteredDomain(host);
            if (REGISTERED.size() >= MAX_CACHED) {
                REGISTERED.clear();
            }
            REGISTERED.put(host, cached);
        }
        return cached;
    }

    private static String computeRegisteredDomain(String host) {
        String lower = host.toLowerCase(Locale.ROOT);
        if (InetAddresses.isInetAddress(lower)) {
            return lower;
        }
        try {
            InternetDomainName name = InternetDomainName.from(lower);
            if (name.isUnderPublicSuffix()) {
                return name.topPrivateDomain().toString();
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            return lower;
        }
        String[] labels = lower.split("\\.");
        return labels.length <= 2 ? lower : labels[labels.length - 2] + "." + labels[labels.length - 1];
    }

    /** DMARC identifier alignment: strict = same domain, relaxed = same organizational domain. */
    public static boolean aligned(String domain, String fromDomain, boolean strict) {
        if (domain == null || domain.isEmpty()) {
            return false;
        }
        if (strict) {
            return domain.equalsIgnoreCase(fromDomain);
        }
        return registeredDomain(domain).equals(registeredDomain(fromDomain));
    }

    /** The domain of an address such as {@code alice@sender.example}, lower case. */
    public static Optional<String> domainOf(String address) {
        int at = address.lastIndexOf('@');
        if (at < 0 || at == address.length() - 1) {
            return Optional.empty();
        }
        return Optional.of(address.substring(at + 1).toLowerCase(Locale.ROOT));
    }

    /** Every address of a From-like header value (lower case), leniently parsed; empty when none is readable. */
    public static List<String> addresses(String headerValue) {
        if (headerValue == null) {
            return List.of();
        }
        List<String> addresses = new ArrayList<>();
        try {
            for (InternetAddress address : InternetAddress.parseHeader(headerValue, false)) {
                if (address.getAddress() != null && !address.getAddress().isBlank()) {
                    addresses.add(address.getAddress().toLowerCase(Locale.ROOT));
                }
            }
        } catch (AddressException e) {
            return List.of();
        }
        return addresses;
    }

    /** Text from a sender, cut to {@value #MAX_SHOWN} characters for a reason. */
    public static String shorten(String text) {
        return text.length() <= MAX_SHOWN ? text : text.substring(0, MAX_SHOWN) + "...";
    }

    /** The first address of a From-like header value, leniently parsed. */
    public static Optional<InternetAddress> firstAddress(String headerValue) {
        if (headerValue == null) {
            return Optional.empty();
        }
        try {
            InternetAddress[] addresses = InternetAddress.parseHeader(headerValue, false);
            return addresses.length == 0 ? Optional.empty() : Optional.of(addresses[0]);
        } catch (AddressException e) {
            return Optional.empty();
        }
    }
}
