package io.portcullis.matchers.stalled;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMatcherConfig;
import org.junit.jupiter.api.Test;

import io.portcullis.mail.PortcullisAttributes;

class IsUnscannableTest {
    private static IsUnscannable matcher(String condition) throws MessagingException {
        IsUnscannable matcher = new IsUnscannable();
        matcher.init(FakeMatcherConfig.builder().matcherName("IsUnscannable").condition(condition).build());
        return matcher;
    }

    private static FakeMail.Builder mail() throws MessagingException {
        return FakeMail.builder().name("m").sender("alice@partner.example").recipients("bob@portcullis.test", "carol@portcullis.test")
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setText("x"));
    }

    @Test
    void matchShouldReturnAllRecipientsWhenUnscannable() throws Exception {
        FakeMail mail = mail().attribute(new Attribute(PortcullisAttributes.UNSCANNABLE_REASON, AttributeValue.of("PGP/MIME"))).build();

        assertThat(matcher(null).match(mail)).containsExactly(new MailAddress("bob@portcullis.test"), new MailAddress("carol@portcullis.test"));
    }

    @Test
    void matchShouldReturnNothingWhenScannable() throws Exception {
        assertThat(matcher(null).match(mail().build())).isEmpty();
    }

    @Test
    void matchShouldLeaveOutBypassingRecipients() throws Exception {
        FakeMail mail = mail().attribute(new Attribute(PortcullisAttributes.UNSCANNABLE_REASON, AttributeValue.of("PGP/MIME")))
            .attribute(new Attribute(PortcullisAttributes.UNSCANNABLE_BYPASS, AttributeValue.of(List.of(AttributeValue.of("bob@portcullis.test")))))
            .build();

        assertThat(matcher("").match(mail)).containsExactly(new MailAddress("carol@portcullis.test"));
    }

    @Test
    void matchShouldReturnNothingWhenForced() throws Exception {
        FakeMail mail = mail().attribute(new Attribute(PortcullisAttributes.UNSCANNABLE_REASON, AttributeValue.of("PGP/MIME")))
            .attribute(new Attribute(PortcullisAttributes.FORCED, AttributeValue.of(true))).build();

        assertThat(matcher(null).match(mail)).isEmpty();
    }

    @Test
    void initShouldFailWhenConditionGiven() {
        assertThatThrownBy(() -> matcher("pgp")).hasMessageContaining("invalid condition 'pgp'");
    }
}
