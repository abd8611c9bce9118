package io.portcullis.checks;

import java.util.List;

import org.apache.james.jdkim.api.PublicKeyRecordRetriever;
import org.apache.james.jdkim.exceptions.PermFailException;
import org.apache.james.jdkim.exceptions.TempFailException;

import io.portcullis.dns.DnsAnswer;
import io.portcullis.dns.DnsLookupService;

/** DKIM public keys ({@code <selector>._domainkey.<domain>} TXT) through the Portcullis {@link DnsLookupService}. */
public final class DnsPublicKeyRetriever implements PublicKeyRecordRetriever {
    private final DnsLookupService dns;

    public DnsPublicKeyRetriever(DnsLookupService dns) {
        this.dns = dns;
    }

    @Override
    public List<String> getRecords(CharSequence methodAndOptions, CharSequence selector, CharSequence token)
            throws TempFailException, PermFailException {
        if (!"dns/txt".contentEquals(methodAndOptions)) {
            throw new PermFailException("unsupported key retrieval method " + methodAndOptions);
        }
        String name = selector + "._domainkey." + token;
        DnsAnswer answer = dns.txt(name);
        if (answer.isFailed()) {
            throw new TempFailException("key " + name + " could not be fetched: " + answer.failure());
        }
        if (!answer.isFound()) {
            throw new PermFailException("no key published at " + name);
        }
        return answer.records();
    }
}
