package io.portcullis.server.security;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collection;
import java.util.Collections;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import com.google.common.net.InetAddresses;

/**
 * The names WebAdmin answers to in a request's {@code Host} header, with or without a port: {@code 127.0.0.1},
 * {@code localhost}, {@code [::1]}, the configured bind host (on a wildcard bind, every address of this
 * machine's interfaces), and the names an administrator adds ({@code allowed.hosts} in webadmin.properties,
 * by default from {@code PORTCULLIS_WEBADMIN_ALLOWED_HOSTS}). Anything else (an attacker's name re-bound to
 * 127.0.0.1, typically) is refused.
 */
public final class AllowedHosts {
    public static final String PARAMETER = "allowed.hosts";
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,62})(\\.[a-z0-9]([a-z0-9-]{0,62}))*\\.?");
    private static final Pattern PORT = Pattern.compile("[0-9]{1,5}");

    private final Set<String> hosts;

    private AllowedHosts(Set<String> hosts) {
        this.hosts = Collections.unmodifiableSet(hosts);
    }

    /** @param extra the administrator's additions, each a host name or an IP address (no scheme, no port) */
    public static AllowedHosts of(String bindHost, Collection<String> extra) {
        Set<String> hosts = new TreeSet<>();
        hosts.add("127.0.0.1");
        hosts.add("localhost");
        hosts.add("[::1]");
        String bind = bindHost.strip();
        if (isWildcard(bind)) {
            hosts.addAll(interfaceAddresses());
        } else {
            hosts.add(normalise(bind).orElseThrow(() -> new IllegalArgumentException("WebAdmin host '" + bindHost + "' is not a host name or an IP address")));
        }
        for (String value : extra) {
            String entry = value.strip();
            if (entry.isEmpty()) {
                continue;
            }
            hosts.add(normalise(entry).orElseThrow(() -> new IllegalArgumentException(PARAMETER + " in webadmin.properties (PORTCULLIS_WEBADMIN_ALLOWED_HOSTS): '"
                + entry + "' is not a host name or an IP address (write names without scheme or port, separated by commas)")));
        }
        return new AllowedHosts(hosts);
    }

    /** Whether a {@code Host} header value ({@code name}, {@code name:port}, {@code [v6]}, {@code [v6]:port}) names this server. */
    public boolean allows(String hostHeader) {
        String value = hostHeader.strip().toLowerCase(Locale.ROOT);
        String host = value;
        if (value.startsWith("[")) {
            int end = value.indexOf(']');
            if (end < 0) {
                return false;
            }
            host = value.substring(0, end + 1);
            String rest = value.substring(end + 1);
            if (!rest.isEmpty() && !(rest.startsWith(":") && PORT.matcher(rest.substring(1)).matches())) {
                return false;
            }
        } else {
            int colon = value.indexOf(':');
            if (colon >= 0) {
                host = value.substring(0, colon);
                if (!PORT.matcher(value.substring(colon + 1)).matches()) {
                    return false;
                }
            }
        }
        return normalise(host).filter(hosts::contains).isPresent();
    }

    public Set<String> hosts() {
        return hosts;
    }

    private static boolean isWildcard(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]") || host.equals("0:0:0:0:0:0:0:0");
    }

    /** {@code name} lower-cased, an IPv4 address as is, an IPv6 address in brackets and canonical form; empty when neither. */
    static Optional<String> normalise(String value) {
        String candidate = value.toLowerCase(Locale.ROOT);
        String bare = candidate.startsWith("[") && candidate.endsWith("]") ? candidate.substring(1, candidate.length() - 1) : candidate;
        if (InetAddresses.isInetAddress(bare)) {
            return Optional.of(literal(InetAddresses.forString(bare)));
        }
        if (NAME.matcher(candidate).matches()) {
            return Optional.of(candidate.endsWith(".") ? candidate.substring(0, candidate.length() - 1) : candidate);
        }
        return Optional.empty();
    }

    private static String literal(InetAddress address) {
        String text = InetAddresses.toAddrString(address);
        return address instanceof Inet6Address ? "[" + text + "]" : text;
    }

    private static Set<String> interfaceAddresses() {
        Set<String> addresses = new TreeSet<>();
        try {
            for (NetworkInterface networkInterface : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress address : Collections.list(networkInterface.getInetAddresses())) {
                    if (!address.isLinkLocalAddress()) {
                        addresses.add(literal(address));
                    }
                }
            }
        } catch (SocketException e) {
            throw new IllegalStateException("Cannot list this machine's addresses for WebAdmin's allowed hosts", e);
        }
        return addresses;
    }

    @Override
    public String toString() {
        return "AllowedHosts" + hosts;
    }
}
