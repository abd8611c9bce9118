package io.portcullis.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DnsLookupServiceTest {
    static TestDnsServer server;
    static DnsLookupService dns;

    @BeforeAll
    static void setUp() throws Exception {
        server = TestDnsServer.start()
            .a("mail.sender.example", "192.0.2.25")
            .mx("sender.example", 10, "mail.sender.example")
            .txt("sender.example", "v=spf1 ip4:192.0.2.0/24 -all")
            .txt("long.example", "x".repeat(600))
            .servfail("broken.example")
            .silent("slow.example");
        dns = server.lookupService();
    }

    @AfterAll
    static void tearDown() {
        server.close();
    }

    @Test
    void lookupShouldReturnRecordsWhenTheNameExists() {
        assertThat(dns.a("mail.sender.example")).isEqualTo(DnsAnswer.found(List.of("192.0.2.25")));
        assertThat(dns.mx("sender.example")).isEqualTo(DnsAnswer.found(List.of("mail.sender.example")));
        assertThat(dns.txt("sender.example")).isEqualTo(DnsAnswer.found(List.of("v=spf1 ip4:192.0.2.0/24 -all")));
    }

    @Test
    void txtShouldJoinTheStringsOfALongRecord() {
        assertThat(dns.txt("long.example").records()).containsExactly("x".repeat(600));
    }

    @Test
    void lookupShouldSayNxdomainWhenTheNameDoesNotExist() {
        assertThat(dns.a("nowhere.example")).isEqualTo(DnsAnswer.notFound("NXDOMAIN"));
    }

    @Test
    void lookupShouldSayNoDataWhenTheNameHasNoRecordOfThatType() {
        assertThat(dns.a("sender.example")).isEqualTo(DnsAnswer.notFound("no data"));
    }

    @Test
    void lookupShouldFailWithServfailWhenTheServerFails() {
        assertThat(dns.a("broken.example")).isEqualTo(DnsAnswer.failed("SERVFAIL"));
    }

    @Test
    void lookupShouldFailWithTimeoutWhenTheServerDoesNotAnswer() {
        assertThat(dns.a("slow.example")).isEqualTo(DnsAnswer.failed("timeout"));
    }

    @Test
    void lookupShouldFailWhenNoServerListens() throws Exception {
        int port;
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            port = socket.getLocalPort();
        }
        DnsLookupService nobody = new DnsLookupService(DnsConfiguration.server("127.0.0.1", port, Duration.ofMillis(500)));

        assertThat(nobody.a("sender.example").isFailed()).isTrue();
    }

    @Test
    void lookupShouldAskTheNextServerWhenOneDoesNotAnswer() throws Exception {
        int deadPort;
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            deadPort = socket.getLocalPort();
        }
        DnsLookupService failover = new DnsLookupService(new DnsConfiguration(
            List.of(new InetSocketAddress("127.0.0.1", deadPort), new InetSocketAddress("127.0.0.1", server.port())),
            Duration.ofMillis(500), 0, Duration.ZERO));

        assertThat(failover.a("mail.sender.example")).isEqualTo(DnsAnswer.found(List.of("192.0.2.25")));
    }

    @Test
    void lookupShouldAnswerFromTheCacheWhenEnabled() {
        DnsLookupService cached = new DnsLookupService(new DnsConfiguration(List.of(new InetSocketAddress("127.0.0.1", server.port())),
            Duration.ofMillis(700), 100, Duration.ofMinutes(5)));
        int before = server.queries().size();

        cached.a("mail.sender.example");
        cached.a("mail.sender.example");
        cached.a("nowhere.example");
        cached.a("nowhere.example");

        assertThat(server.queries().size() - before).isEqualTo(2);
    }

    @Test
    void lookupShouldCacheAFailureForTheFailureTtl() {
        DnsLookupService cached = new DnsLookupService(new DnsConfiguration(List.of(new InetSocketAddress("127.0.0.1", server.port())),
            Duration.ofMillis(300), 100, Duration.ofMinutes(5), Duration.ofSeconds(30)));
        int before = server.queries().size();

        DnsAnswer first = cached.a("slow.example");
        long start = System.nanoTime();
        DnsAnswer second = cached.a("slow.example");
        long secondMillis = (System.nanoTime() - start) / 1_000_000;
        DnsAnswer servfail = cached.txt("broken.example");
        cached.txt("broken.example");

        assertThat(first).isEqualTo(DnsAnswer.failed("timeout"));
        assertThat(second).isEqualTo(DnsAnswer.failed("timeout"));
        assertThat(secondMillis).isLessThan(100);
        assertThat(servfail).isEqualTo(DnsAnswer.failed("SERVFAIL"));
        assertThat(server.queries().size() - before).isEqualTo(2);
    }

    @Test
    void lookupShouldNotCacheAFailureWhenTheFailureTtlIsZero() {
        DnsLookupService uncached = new DnsLookupService(new DnsConfiguration(List.of(new InetSocketAddress("127.0.0.1", server.port())),
            Duration.ofMillis(300), 100, Duration.ofMinutes(5), Duration.ZERO));
        int before = server.queries().size();

        uncached.txt("broken.example");
        uncached.txt("broken.example");

        assertThat(server.queries().size() - before).isEqualTo(2);
    }

    @Test
    void lookupShouldGiveUpAtOnceWhenItsThreadIsInterrupted() throws Exception {
        DnsLookupService patient = new DnsLookupService(new DnsConfiguration(List.of(new InetSocketAddress("127.0.0.1", server.port())),
            Duration.ofSeconds(20), 100, Duration.ofMinutes(5), Duration.ofSeconds(30)));
        AtomicReference<DnsAnswer> answer = new AtomicReference<>();
        Thread lookup = new Thread(() -> answer.set(patient.a("slow.example")));
        lookup.start();
        Thread.sleep(300);
        long start = System.nanoTime();

        lookup.interrupt();
        lookup.join(5000);

        assertThat(lookup.isAlive()).isFalse();
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(2000);
        assertThat(answer.get()).isEqualTo(DnsAnswer.failed("interrupted"));
        assertThat(patient.a("mail.sender.example").isFound()).isTrue();
    }

    @Test
    void fromShouldReadTheFailureTtl() {
        Properties properties = new Properties();
        properties.setProperty("dns.cache.failureTtl", "45s");

        assertThat(DnsConfiguration.from(properties).cacheFailureTtl()).isEqualTo(Duration.ofSeconds(45));
        assertThat(DnsConfiguration.from(new Properties()).cacheFailureTtl()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void fromShouldReadServersAndTimeout() {
        Properties properties = new Properties();
        properties.setProperty("dns.servers", "127.0.0.1:5353, 192.0.2.53");
        properties.setProperty("dns.timeout", "1500ms");

        DnsConfiguration configuration = DnsConfiguration.from(properties);

        assertThat(configuration.servers()).containsExactly(new InetSocketAddress("127.0.0.1", 5353), new InetSocketAddress("192.0.2.53", 53));
        assertThat(configuration.timeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(configuration.describeServers()).isEqualTo("127.0.0.1:5353, 192.0.2.53:53");
    }

    @Test
    void fromShouldUseTheSystemResolversWhenNoServerIsConfigured() {
        DnsConfiguration configuration = DnsConfiguration.from(new Properties());

        assertThat(configuration.servers()).isEmpty();
        assertThat(configuration.timeout()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void fromShouldThrowWhenThePortIsNotANumber() {
        Properties properties = new Properties();
        properties.setProperty("dns.servers", "127.0.0.1:fiftythree");

        assertThatThrownBy(() -> DnsConfiguration.from(properties))
            .hasMessage("portcullis.properties: dns.servers has invalid value '127.0.0.1:fiftythree': expected host or host:port with a port between 1 and 65535");
    }

    @Test
    void fromShouldThrowWhenTheTimeoutIsNotADuration() {
        Properties properties = new Properties();
        properties.setProperty("dns.timeout", "soon");

        assertThatThrownBy(() -> DnsConfiguration.from(properties))
            .hasMessage("portcullis.properties: dns.timeout has invalid value 'soon': expected a positive duration such as 2s or 500ms");
    }
}
