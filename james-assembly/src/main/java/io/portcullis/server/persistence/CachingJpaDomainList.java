package io.portcullis.server.persistence;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import javax.inject.Inject;
import javax.persistence.EntityManagerFactory;

import org.apache.james.core.Domain;
import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.domainlist.api.DomainListException;
import org.apache.james.domainlist.jpa.JPADomainList;

/**
 * The JPA domain list with "is this one of our domains?" answers kept for {@value #TTL_SECONDS} seconds: mail processing
 * asks it several times per message (relaying, delivery route, spoofing check), each a database query otherwise.
 * Unlike James's own read cache, a domain added or removed here (WebAdmin) is answered afresh at once: James's cache
 * kept the "absent" answer WebAdmin's {@code PUT /domains} read just before adding the domain, and refused the new
 * domain's users until it expired. A change made by another node sharing the database is seen within the TTL.
 */
public class CachingJpaDomainList extends JPADomainList {
    static final long TTL_SECONDS = 10;
    private static final long TTL_NANOS = Duration.ofSeconds(TTL_SECONDS).toNanos();
    /** Answers kept at most (From domains of spam are many): beyond, the cache starts again empty. */
    private static final int MAX_ENTRIES = 10_000;

    private record Answer(boolean contains, long at) {
    }

    private final Map<Domain, Answer> answers = new ConcurrentHashMap<>();
    private final AtomicLong changes = new AtomicLong();

    @Inject
    public CachingJpaDomainList(DNSService dns, EntityManagerFactory entityManagerFactory) {
        super(dns, entityManagerFactory);
    }

    @Override
    public boolean containsDomain(Domain domain) throws DomainListException {
        long now = System.nanoTime();
        Answer answer = answers.get(domain);
        if (answer != null && now - answer.at() < TTL_NANOS) {
            return answer.contains();
        }
        long generation = changes.get();
        boolean contains = super.containsDomain(domain);
        if (changes.get() == generation) {
            // Not cached when a domain was added or removed meanwhile: the answer may predate the change.
            if (answers.size() >= MAX_ENTRIES) {
                answers.clear();
            }
            answers.put(domain, new Answer(contains, now));
        }
        return contains;
    }

    @Override
    public void addDomain(Domain domain) throws DomainListException {
        changes.incrementAndGet();
        try {
            super.addDomain(domain);
        } finally {
            answers.remove(domain);
            changes.incrementAndGet();
        }
    }

    @Override
    public void removeDomain(Domain domain) throws DomainListException {
        changes.incrementAndGet();
        try {
            super.removeDomain(domain);
        } finally {
            answers.remove(domain);
            changes.incrementAndGet();
        }
    }
}
