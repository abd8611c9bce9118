package io.portcullis.dns;

import java.util.List;
import java.util.Objects;

/**
 * The outcome of one DNS query: records found, the name or type does not exist, or the query could not be
 * answered (timeout, SERVFAIL, refused). A check must treat {@link Status#FAILED} as "could not run", never as
 * "not listed".
 *
 * @param records the answers as text: addresses for A/AAAA, the exchange host for MX (no trailing dot), the
 *                concatenated strings for TXT
 * @param failure for {@link Status#NOT_FOUND} "NXDOMAIN" or "no data"; for {@link Status#FAILED} e.g. "timeout"
 *                or "SERVFAIL"; empty when found
 */
public record DnsAnswer(Status status, List<String> records, String failure) {
    public enum Status { FOUND, NOT_FOUND, FAILED }

    public DnsAnswer {
        Objects.requireNonNull(status, "status");
        records = List.copyOf(records);
        Objects.requireNonNull(failure, "failure");
    }

    public static DnsAnswer found(List<String> records) {
        return new DnsAnswer(Status.FOUND, records, "");
    }

    public static DnsAnswer notFound(String why) {
        return new DnsAnswer(Status.NOT_FOUND, List.of(), why);
    }

    public static DnsAnswer failed(String why) {
        return new DnsAnswer(Status.FAILED, List.of(), why);
    }

    public boolean isFound() {
        return status == Status.FOUND;
    }

    public boolean isFailed() {
        return status == Status.FAILED;
    }
}
