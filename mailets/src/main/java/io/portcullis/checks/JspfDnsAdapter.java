package io.portcullis.checks;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.apache.james.jspf.core.DNSRequest;
import org.apache.james.jspf.core.DNSService;
import org.apache.james.jspf.core.exceptions.TimeoutException;
import org.xbill.DNS.Type;

import io.portcullis.dns.DnsAnswer;
import io.portcullis.dns.DnsLookupService;

/**
 * Lets jSPF (the SPF library James uses) query through the Portcullis {@link DnsLookupService}: same servers,
 * ports, timeout and cache as the other checks. A failed query is jSPF's {@link TimeoutException} (SPF
 * temperror); the last failure of the calling thread is kept so the reason can say what went wrong.
 */
final class JspfDnsAdapter implements DNSService {
    private static final ThreadLocal<String> LAST_FAILURE = new ThreadLocal<>();

    private final DnsLookupService dns;
    private int recordLimit = 10;

    JspfDnsAdapter(DnsLookupService dns) {
        this.dns = dns;
    }

    static void clearFailure() {
        LAST_FAILURE.remove();
    }

    static String lastFailure() {
        return LAST_FAILURE.get();
    }

    @Override
    public List<String> getRecords(DNSRequest request) throws TimeoutException {
        int type;
        switch (request.getRecordType()) {
            case DNSRequest.A -> type = Type.A;
            case DNSRequest.AAAA -> type = Type.AAAA;
            case DNSRequest.MX -> type = Type.MX;
            case DNSRequest.PTR -> type = Type.PTR;
            case DNSRequest.TXT, DNSRequest.SPF -> type = Type.TXT;
            default -> {
                return null;
            }
        }
        DnsAnswer answer = dns.lookup(request.getHostname(), type);
        if (answer.isFailed()) {
            LAST_FAILURE.set(answer.failure() + " looking up " + request.getHostname());
            throw new TimeoutException(answer.failure());
        }
        return answer.isFound() ? answer.records() : null;
    }

    @Override
    public CompletionStage<List<String>> getRecordsAsync(DNSRequest request) {
        try {
            return CompletableFuture.completedFuture(getRecords(request));
        } catch (TimeoutException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public List<String> getLocalDomainNames() {
        return List.of();
    }

    @Override
    public void setTimeOut(int timeOut) {
        // the timeout is the lookup service's (dns.timeout)
    }

    @Override
    public int getRecordLimit() {
        return recordLimit;
    }

    @Override
    public void setRecordLimit(int recordLimit) {
        this.recordLimit = recordLimit;
    }
}
