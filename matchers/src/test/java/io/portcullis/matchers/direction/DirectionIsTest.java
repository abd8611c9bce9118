package io.portcullis.matchers.direction;

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

class DirectionIsTest {
    private static DirectionIs matcher(String condition) throws MessagingException {
        DirectionIs matcher = new DirectionIs();
        matcher.init(FakeMatcherConfig.builder().matcherName("DirectionIs").condition(condition).build());
        return matcher;
    }

    @Test
    void matchShouldReturnRecipientsOfInboundMail() throws Exception {
        FakeMail mail = FakeMail.builder().name("m").recipients("a@portcullis.test", "b@portcullis.test").build();

        assertThat(matcher("inbound").match(mail)).containsExactly(new MailAddress("a@portcullis.test"), new MailAddress("b@portcullis.test"));
        assertThat(matcher("outbound").match(mail)).isEmpty();
    }

    @Test
    void matchShouldSeeAuthenticatedMailAsOutbound() throws Exception {
        FakeMail mail = FakeMail.builder().name("m").recipient("x@remote.example")
            .attribute(new Attribute(AttributeName.of("org.apache.james.SMTPAuthUser"), AttributeValue.of("bob@portcullis.test")))
            .build();

        assertThat(matcher("outbound").match(mail)).containsExactly(new MailAddress("x@remote.example"));
    }

    @Test
    void initShouldThrowWhenConditionIsNotADirection() {
        assertThatThrownBy(() -> matcher("sideways"))
            .hasMessage("DirectionIs: invalid condition 'sideways': expected inbound or outbound");
    }
}
