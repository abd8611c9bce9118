package io.portcullis.checks;

import static org.assertj.core.api.Assertions.assertThat;

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

class UriblCheckTest {
    static TestDnsServer server;
    static DnsLookupService dns;

    @BeforeAll
    static void setUp() throws Exception {
        server = TestDnsServer.start()
            .a("evil.example.uribl.example", "127.0.0.2")
            .servfail("broken.example.uribl.example");
        dns = server.lookupService();
    }

    @AfterAll
    static void tearDown() {
        server.close();
    }

    static FakeMail mailWithHtml(String html) throws Exception {
        return FakeMail.builder().name("m").sender("alice@sender.example").recipient("bob@portcullis.test")
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("hi")
                .setContent(MimeMessageBuilder.multipartBuilder()
                    .addBody(MimeMessageBuilder.bodyPartBuilder().data("<p>see <a href=\"" + html + "\">here</a></p>").type("text/html"))))
            .build();
    }

    @Test
    void serviceShouldAddTheReasonWhenALinkDomainIsListed() throws Exception {
        ScoreFilter filter = ScoreFilters.create(dns, "check", "uribl", "zones", "uribl.example=35");
        FakeMail mail = mailWithHtml("http://www.evil.example/login?x=1");

        filter.service(mail);

        assertThat(ScoreSheet.score(mail)).isEqualTo(35);
        assertThat(ScoreSheet.reasons(mail)).containsExactly("link domain evil.example is listed on uribl.example (127.0.0.2): +35");
        assertThat(ScoreSheet.rules(mail)).containsExactly("spam:uribllookup");
    }

    @Test
    void serviceShouldFindBareUrlsInPlainText() throws Exception {
        ScoreFilter filter = ScoreFilters.create(dns, "check", "uribl", "zones", "uribl.example");
        FakeMail mail = FakeMail.builder().name("m").recipient("bob@portcullis.test")
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("hi").setText("go to https://evil.example/x now")).build();

        filter.service(mail);

        assertThat(ScoreSheet.reasons(mail)).containsExactly("link domain evil.example is listed on uribl.example (127.0.0.2): +40");
    }

    @Test
    void serviceShouldAddNothingWhenNoLinkDomainIsListed() throws Exception {
        ScoreFilter filter = ScoreFilters.create(dns, "check", "uribl", "zones", "uribl.example=35");
        FakeMail mail = mailWithHtml("https://good.example/");

        filter.service(mail);

        assertThat(ScoreSheet.reasons(mail)).isEmpty();
        assertThat(ScoreSheet.score(mail)).isZero();
    }

    @Test
    void serviceShouldSayTheZoneCouldNotBeQueriedWhenTheServerFails() throws Exception {
        ScoreFilter filter = ScoreFilters.create(dns, "check", "uribl", "zones", "uribl.example=35");
        FakeMail mail = mailWithHtml("https://broken.example/");

        filter.service(mail);

        assertThat(ScoreSheet.reasons(mail)).containsExactly("URIBL uribl.example could not be queried for broken.example: SERVFAIL: +0");
        assertThat(ScoreSheet.rules(mail)).containsExactly("check:tempfail");
    }
}
