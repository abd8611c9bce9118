package io.portcullis.matchers.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMatcherConfig;
import org.junit.jupiter.api.Test;

class ManualReportRequestMatcherTest {
    private static final Attribute AUTHENTICATED = new Attribute(AttributeName.of("org.apache.james.SMTPAuthUser"), AttributeValue.of("bob@acme.test"));
    private static final Attribute RELAY_NETWORK = new Attribute(AttributeName.of("org.apache.james.SMTPIsAuthNetwork"), AttributeValue.of(true));

    private static ManualReportRequestMatcher matcher(String condition) throws MessagingException {
        ManualReportRequestMatcher matcher = new ManualReportRequestMatcher();
        matcher.init(FakeMatcherConfig.builder().matcherName("ManualReportRequestMatcher").condition(condition).build());
        return matcher;
    }

    @Test
    void matchShouldMatchTheLocalPartWhateverTheDomainWhenAuthenticated() throws Exception {
        FakeMail mail = FakeMail.builder().name("m").sender("bob@acme.test")
            .recipients("manual-report-request@reports.acme.test", "Manual-Report-Request@invalid-domain.example", "alice@acme.test")
            .attribute(AUTHENTICATED).build();

        assertThat(matcher(null).match(mail)).containsExactly(
            new MailAddress("manual-report-request@reports.acme.test"),
            new MailAddress("Manual-Report-Request@invalid-domain.example"));
    }

    @Test
    void matchShouldMatchFromARelayNetwork() throws Exception {
        FakeMail mail = FakeMail.builder().name("m").sender("bob@acme.test")
            .recipient("manual-report-request@acme.test").attribute(RELAY_NETWORK).build();

        assertThat(matcher(null).match(mail)).containsExactly(new MailAddress("manual-report-request@acme.test"));
    }

    @Test
    void matchShouldMatchNothingFromAnUnauthenticatedOutsider() throws Exception {
        FakeMail mail = FakeMail.builder().name("m").sender("mallory@evil.example")
            .recipient("manual-report-request@acme.test").build();

        assertThat(matcher(null).match(mail)).isEmpty();
    }

    @Test
    void matchShouldNotMatchALocalPartThatOnlyContainsTheKeyword() throws Exception {
        FakeMail mail = FakeMail.builder().name("m").sender("bob@acme.test")
            .recipient("no-manual-report-request@acme.test").attribute(AUTHENTICATED).build();

        assertThat(matcher(null).match(mail)).isEmpty();
    }

    @Test
    void conditionShouldChangeTheLocalPart() throws Exception {
        FakeMail mail = FakeMail.builder().name("m").sender("bob@acme.test")
            .recipients("quarantine-report@acme.test", "manual-report-request@acme.test").attribute(AUTHENTICATED).build();

        assertThat(matcher("quarantine-report").match(mail)).containsExactly(new MailAddress("quarantine-report@acme.test"));
    }

    @Test
    void initShouldThrowWhenConditionIsNotALocalPart() {
        assertThatThrownBy(() -> matcher("report request@"))
            .hasMessage("ManualReportRequestMatcher: invalid condition 'report request@': expected an email local part such as manual-report-request");
    }
}
