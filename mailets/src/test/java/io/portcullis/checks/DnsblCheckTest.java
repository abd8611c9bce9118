package io.portcullis.checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import javax.mail.MessagingException;

import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.mailet.base.test.FakeMail;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.portcullis.dns.DnsLookupService;
import io.portcullis.dns.TestDnsServer;
import io.portcullis.scoring.ScoreFilter;
import io.portcullis.scoring.ScoreFilters;
import io.portcullis.scoring.ScoreSheet;

class DnsblCheckTest {
    static TestDnsServer server;
    static DnsLookupService dns;

    @BeforeAll
    static void setUp() throws Exception {
        server = TestDnsServer.start()
            .a("7.2.0.192.bl.example", "127.0.0.2")
            .a("7.2.0.192.other.example", "127.0.0.10")
            .a("8.2.0.192.bl.example", "127.0.0.4")
            .a("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.bl.example", "127.0.0.2")
            .servfail("9.2.0.192.bl.example")
            .silent("9.2.0.192.slow.example");
        dns = server.lookupService();
    }

    @AfterAll
    static void tearDown() {
        server.close();
    }

    static FakeMail mailFrom(String ip) throws MessagingException {
        return FakeMail.builder().name("m").sender("alice@sender.example").recipient("bob@portcullis.test").remoteAddr(ip)
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("hi").setText("hello")).build();
    }

    @Test
    void serviceShouldAddTheZoneScoreAndReasonWhenTheIpIsListed() throws Exception {
        ScoreFilter filter = ScoreFilters.create(dns, "check", "dnsbl", "zones", "bl.example=40, clean.example=30");
        FakeMail mail = mailFrom("192.0.2.7");

        filter.service(mail);

        assertThat(ScoreSheet.score(mail)).isEqualTo(40);
        assertThat(ScoreSheet.reasons(mail)).containsExactly("sender's server 192.0.2.7 is listed on bl.example (127.0.0.2): +40");
        assertThat(ScoreSheet.rules(mail)).containsExactly("spam:rbllookup");
    }

    @Test
    void serviceShouldAddNothingWhenTheIpIsNotListed() throws Exception {
        ScoreFilter filter = ScoreFilters.create(dns, "check", "dnsbl", "zones", "bl.example=40");
        FakeMail mail = mailFrom("192.0.2.99");

        filter.service(mail);

        assertThat(ScoreSheet.score(mail)).isZero();
        assertThat(ScoreSheet.reasons(mail)).isEmpty();
    }

    @Test
    void serviceShouldScoreEachZoneSeparately() throws Exception {
        ScoreFilter filter = ScoreFilters.create(dns, "check", "dnsbl", "zones", "bl.example, other.example=15", "score", "25");
        FakeMail mail = mailFrom("192.0.2.7");

        filter.service(mail);

        assertThat(ScoreSheet.score(mail)).isEqualTo(40);
        assertThat(ScoreSheet.reasons(mail)).containsExactly(
            "sender's server 192.0.2.7 is listed on bl.example (127.0.0.2): +25",
            "sender's server 192.0.2.7 is listed on other.example (127.0.0.10): +15");
        assertThat(ScoreSheet.rules(mail)).containsExactly("spam:rbllookup");
    }

    @Test
    void serviceShouldIgnoreReturnCodesOutsideTheFilter() throws Exception {
        ScoreFilter filter = ScoreFilters.create(dns, "check", "dnsbl", "zones", "bl.example[127.0.0.2|127.0.0.3]=40");
        FakeMail ignored = mailFrom("192.0.2.8");
        FakeMail counted = mailFrom("192.0.2.7");

        filter.service(ignored);
        filter.service(counted);

        assertThat(ScoreSheet.reasons(ignored)).isEmpty();
        assertThat(ScoreSheet.reasons(counted)).containsExactly("sender's server 192.0.2.7 is listed on bl.example (127.0.0.2): +40");
    }

    @Test
    void serviceShouldLookIpv6AddressesUpByNibbles() throws Exception {
        ScoreFilter filter = ScoreFilters.create(dns, "check", "dnsbl", "zones", "bl.example=40");
        FakeMail mail = mailFrom("2001:db8::1");

        filter.service(mail);

        assertThat(ScoreSheet.reasons(mail)).containsExactly("sender's server 2001:db8::1 is listed on bl.example (127.0.0.2): +40");
    }

    @Test
    void serviceShouldSayTheZoneCouldNotBeQueriedWhenTheServerFails() throws Exception {
        ScoreFilter filter = ScoreFilters.create(dns, "check", "dnsbl", "zones", "bl.example=40");
        FakeMail mail = mailFrom("192.0.2.9");

        filter.service(mail);

        assertThat(ScoreSheet.score(mail)).isZero();
        assertThat(ScoreSheet.reasons(mail)).containsExactly("DNSBL bl.example could not be queried: SERVFAIL: +0");
        assertThat(ScoreSheet.rules(mail)).containsExactly("check:tempfail");
    }

    @Test
    void serviceShouldSayTheZoneCouldNotBeQueriedWhenTheServerTimesOut() throws Exception {
        ScoreFilter filter = ScoreFilters.create(dns, "check", "dnsbl", "zones", "slow.example=40");
        FakeMail mail = mailFrom("192.0.2.9");

        filter.service(mail);

        assertThat(ScoreSheet.reasons(mail)).containsExactly("DNSBL slow.example could not be queried: timeout: +0");
        assertThat(ScoreSheet.rules(mail)).containsExactly("check:tempfail");
    }

    @Test
    void initShouldAcceptTheZonesOfTheRecommendedFlow() throws Exception {
        ScoreFilters.create(dns, "check", "dnsbl", "zones", "zen.spamhaus.org[127.0.0.2|127.0.0.3|127.0.0.4|127.0.0.9]=60, bl.spamcop.net=40");
        ScoreFilters.create(dns, "check", "uribl", "zones", "dbl.spamhaus.org[127.0.1.2|127.0.1.4|127.0.1.5|127.0.1.6]=60");
    }

    @Test
    void initShouldThrowWhenAZoneIsMalformed() {
        assertThatThrownBy(() -> ScoreFilters.create(dns, "check", "dnsbl", "zones", "bl.example=lots"))
            .isInstanceOf(MessagingException.class)
            .hasMessageStartingWith("ScoreFilter: parameter 'zones' has invalid value 'bl.example=lots'");
    }

    @Test
    void initShouldThrowWhenAParameterBelongsToAnotherCheck() {
        assertThatThrownBy(() -> ScoreFilters.create(dns, "check", "dnsbl", "zones", "bl.example", "maxDomains", "5"))
            .isInstanceOf(MessagingException.class)
            .hasMessage("ScoreFilter: parameter 'maxDomains' does not belong to check=dnsbl (it is a parameter of uribl); check=dnsbl takes [check, zones, score]");
    }

    @Test
    void initShouldThrowWhenTheCheckIsUnknown() {
        assertThatThrownBy(() -> ScoreFilters.create(dns, "check", "rbl"))
            .isInstanceOf(MessagingException.class)
            .hasMessageStartingWith("ScoreFilter: parameter 'check' has invalid value 'rbl': expected one of [dnsbl");
    }

    @Test
    void initShouldThrowWhenAParameterIsUnknown() {
        assertThatThrownBy(() -> ScoreFilters.create(dns, "check", "dnsbl", "zones", "bl.example", "zone", "x"))
            .isInstanceOf(MessagingException.class)
            .hasMessageContaining("unknown parameter(s) [zone]");
    }
}
