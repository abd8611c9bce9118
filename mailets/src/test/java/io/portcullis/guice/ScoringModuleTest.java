package io.portcullis.guice;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.server.core.configuration.Configuration;
import org.apache.james.utils.PropertiesProvider;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.inject.Guice;
import com.google.inject.Injector;

import io.portcullis.dns.DnsLookupService;
import io.portcullis.lists.ApplySenderLists;
import io.portcullis.scoring.CheckRunner;
import io.portcullis.scoring.ScoreFilter;
import io.portcullis.scoring.ScoringBudget;
import io.portcullis.scoring.TestFileSystem;

class ScoringModuleTest {
    @TempDir
    Path dir;

    Injector injector() {
        TestFileSystem fileSystem = new TestFileSystem(dir);
        return Guice.createInjector(new ScoringModule(), binder -> {
            binder.bind(FileSystem.class).toInstance(fileSystem);
            binder.bind(PropertiesProvider.class).toInstance(new PropertiesProvider(fileSystem, new Configuration.ConfigurationPath("file://conf/")));
        });
    }

    @Test
    void dnsLookupServiceShouldUseTheServersOfPortcullisProperties() throws Exception {
        Files.createDirectories(dir.resolve("conf"));
        Files.write(dir.resolve("conf/portcullis.properties"), List.of("dns.servers=127.0.0.1:5353, 127.0.0.2:53", "dns.timeout=1500ms"));

        DnsLookupService dns = injector().getInstance(DnsLookupService.class);

        assertThat(dns.configuration().servers()).containsExactly(new InetSocketAddress("127.0.0.1", 5353), new InetSocketAddress("127.0.0.2", 53));
        assertThat(dns.configuration().timeout()).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void checkRunnerShouldUseTheScoringBudgetOfPortcullisProperties() throws Exception {
        Files.createDirectories(dir.resolve("conf"));
        Files.write(dir.resolve("conf/portcullis.properties"), List.of("scoring.budget=5s", "scoring.threads=3"));

        CheckRunner runner = injector().getInstance(CheckRunner.class);

        assertThat(runner.budget()).isEqualTo(new ScoringBudget(Duration.ofSeconds(5), 3));
        assertThat(injector().getInstance(ScoreFilter.class)).isNotNull();
    }

    @Test
    void dnsServersShouldAcceptEnvironmentInterpolationWithADefault() throws Exception {
        Files.createDirectories(dir.resolve("conf"));
        Files.write(dir.resolve("conf/portcullis.properties"), List.of("dns.servers=${env:PORTCULLIS_UNSET_DNS_FOR_TEST:-127.0.0.1:5353}"));

        DnsLookupService dns = injector().getInstance(DnsLookupService.class);

        assertThat(dns.configuration().servers()).containsExactly(new InetSocketAddress("127.0.0.1", 5353));
    }

    @Test
    void dnsLookupServiceShouldUseTheSystemResolversWithoutPortcullisProperties() {
        DnsLookupService dns = injector().getInstance(DnsLookupService.class);

        assertThat(dns.configuration().servers()).isEmpty();
        assertThat(injector().getInstance(DnsLookupService.class)).isNotNull();
    }

    @Test
    void mailetsShouldBeCreatedByGuiceAsJamesDoes() throws Exception {
        Files.createDirectories(dir.resolve("conf"));
        Files.copy(Path.of("../conf/content-rules.conf"), dir.resolve("conf/content-rules.conf"));
        Files.copy(Path.of("../conf/sender-lists.conf"), dir.resolve("conf/sender-lists.conf"));
        Injector injector = injector();

        ScoreFilter filter = injector.getInstance(ScoreFilter.class);
        filter.init(FakeMailetConfig.builder().mailetName("ScoreFilter").setProperty("check", "content").build());
        ApplySenderLists lists = injector.getInstance(ApplySenderLists.class);
        lists.init(FakeMailetConfig.builder().mailetName("ApplySenderLists").build());

        assertThat(filter.checkName()).isEqualTo("content");
    }
}
