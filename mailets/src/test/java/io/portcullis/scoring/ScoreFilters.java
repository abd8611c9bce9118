package io.portcullis.scoring;

import java.nio.file.Path;

import javax.mail.MessagingException;

import org.apache.mailet.MailetContext;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;

import io.portcullis.dns.DnsLookupService;

/** Builds initialised {@link ScoreFilter}s for tests: {@code create(dns, "check", "dnsbl", "zones", "bl.example")}. */
public final class ScoreFilters {
    private ScoreFilters() {
    }

    public static ScoreFilter create(DnsLookupService dns, String... nameValues) throws MessagingException {
        return create(dns, Path.of("."), FakeMailContext.defaultContext(), nameValues);
    }

    public static ScoreFilter create(DnsLookupService dns, Path base, MailetContext context, String... nameValues) throws MessagingException {
        return create(dns, base, context, null, nameValues);
    }

    /** With its own check runner (scoring budget); {@code null}: the default. */
    public static ScoreFilter create(DnsLookupService dns, Path base, MailetContext context, CheckRunner runner, String... nameValues)
            throws MessagingException {
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName("ScoreFilter").mailetContext(context);
        for (int i = 0; i < nameValues.length; i += 2) {
            config.setProperty(nameValues[i], nameValues[i + 1]);
        }
        ScoreFilter filter = runner == null ? new ScoreFilter(dns, new TestFileSystem(base)) : new ScoreFilter(dns, new TestFileSystem(base), runner);
        filter.init(config.build());
        return filter;
    }
}
