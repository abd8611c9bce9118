package io.portcullis.matchers.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import javax.mail.MessagingException;

import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMatcherConfig;
import org.junit.jupiter.api.Test;

import io.portcullis.mail.PortcullisAttributes;

class ThreatFoundTest {
    static ThreatFound matcher(String condition) throws MessagingException {
        ThreatFound matcher = new ThreatFound();
        matcher.init(FakeMatcherConfig.builder().matcherName("ThreatFound").condition(condition).build());
        return matcher;
    }

    static FakeMail withThreat(String threat) throws MessagingException {
        FakeMail.Builder builder = FakeMail.builder().name("m").recipients("a@portcullis.test");
        if (threat != null) {
            builder.attribute(new Attribute(PortcullisAttributes.THREAT, AttributeValue.of(threat)));
        }
        return builder.build();
    }

    @Test
    void matchShouldReturnAllRecipientsWhenAThreatWasFound() throws Exception {
        assertThat(matcher(null).match(withThreat("EICAR-Test-File"))).hasSize(1);
        assertThat(matcher("EICAR-Test-File").match(withThreat("EICAR-Test-File"))).hasSize(1);
    }

    @Test
    void matchShouldReturnAnEmptyCollectionWhenNoThreatWasFound() throws Exception {
        assertThat(matcher(null).match(withThreat(null))).isNotNull().isEmpty();
        assertThat(matcher("Other-Threat").match(withThreat("EICAR-Test-File"))).isEmpty();
    }

    @Test
    void initShouldThrowWhenTheConditionListsSeveralThreats() {
        assertThatThrownBy(() -> matcher("a,b"))
            .hasMessage("ThreatFound: invalid condition 'a,b': expected nothing or a single threat name such as EICAR-Test-File");
    }
}
