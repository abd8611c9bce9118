package io.portcullis.server.domains;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import org.apache.james.core.Domain;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.domainlist.api.DomainListException;
import org.apache.james.utils.InitializationOperation;
import org.apache.james.utils.InitilizationOperationBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.ProvidesIntoSet;

/**
 * Creates the domains named in the environment variable {@code PORTCULLIS_DOMAINS} (comma separated) or the
 * system property {@code portcullis.domains} when they do not exist yet. The default domain of
 * {@code conf/domainlist.xml} is created by James itself. Existing domains are left alone, so restarting
 * never duplicates or removes anything.
 */
public class InitialDomainsModule extends AbstractModule {
    private static final Logger LOGGER = LoggerFactory.getLogger(InitialDomainsModule.class);
    public static final String ENVIRONMENT_VARIABLE = "PORTCULLIS_DOMAINS";
    public static final String SYSTEM_PROPERTY = "portcullis.domains";

    @ProvidesIntoSet
    InitializationOperation createInitialDomains(DomainList domainList) {
        return InitilizationOperationBuilder
            .forClass(InitialDomains.class)
            .init(() -> new InitialDomains(domainList).create(configuredDomains()));
    }

    static List<Domain> configuredDomains() {
        String value = System.getProperty(SYSTEM_PROPERTY, System.getenv().getOrDefault(ENVIRONMENT_VARIABLE, ""));
        return Arrays.stream(value.split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .map(Domain::of)
            .collect(Collectors.toList());
    }

    public static class InitialDomains implements org.apache.james.lifecycle.api.Startable {
        private final DomainList domainList;

        InitialDomains(DomainList domainList) {
            this.domainList = domainList;
        }

        void create(List<Domain> domains) throws DomainListException {
            for (Domain domain : domains) {
                if (!domainList.containsDomain(domain)) {
                    domainList.addDomain(domain);
                    LOGGER.info("Created domain {} from {}", domain.asString(), ENVIRONMENT_VARIABLE);
                }
            }
        }
    }
}
