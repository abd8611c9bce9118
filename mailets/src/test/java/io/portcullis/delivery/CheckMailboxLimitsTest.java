package io.portcullis.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import javax.mail.internet.MimeMessage;

import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.portcullis.mail.PortcullisAttributes;

class CheckMailboxLimitsTest {
    private CheckMailboxLimits mailet;

    @BeforeEach
    void setUp() throws Exception {
        mailet = new CheckMailboxLimits();
        mailet.init(FakeMailetConfig.builder().mailetName("CheckMailboxLimits").build());
    }

    private FakeMail mail(String headerName, String headerValue) throws Exception {
        MimeMessage message = MimeMessageBuilder.mimeMessageBuilder().setSubject("limits").setText("hello").build();
        message.setHeader(headerName, headerValue);
        return FakeMail.builder().name("m1").mimeMessage(message).recipient("bob@acme.test").build();
    }

    private static String reason(FakeMail mail) {
        return mail.getAttribute(PortcullisAttributes.UNSCANNABLE_REASON).map(a -> a.getValue().value().toString()).orElse(null);
    }

    @Test
    void serviceShouldMarkAMessageWhoseContentDescriptionIsLongerThanTheMailboxStores() throws Exception {
        FakeMail mail = mail("Content-Description", "d".repeat(1025));
        mailet.service(mail);
        assertThat(reason(mail)).contains("Content-Description").contains("1025 characters");
    }

    @Test
    void serviceShouldMarkAMessageWhoseMediaSubtypeIsLongerThanTheMailboxStores() throws Exception {
        FakeMail mail = mail("Content-Type", "text/" + "x".repeat(201) + "; charset=us-ascii");
        mailet.service(mail);
        assertThat(reason(mail)).contains("media type");
    }

    @Test
    void serviceShouldMarkAMessageWithAParameterNameLongerThanTheMailboxStores() throws Exception {
        FakeMail mail = mail("Content-Disposition", "attachment; " + "n".repeat(501) + "=x");
        mailet.service(mail);
        assertThat(reason(mail)).contains("parameter name");
    }

    @Test
    void serviceShouldLeaveOrdinaryMailAlone() throws Exception {
        FakeMail mail = mail("Content-Type", "text/plain; charset=utf-8; format=flowed; name=\"" + "n".repeat(300) + ".txt\"");
        mailet.service(mail);
        assertThat(reason(mail)).isNull();
    }

    @Test
    void serviceShouldLeaveAFieldOfExactlyTheLimitAlone() throws Exception {
        FakeMail mail = mail("Content-Description", "d".repeat(1024));
        mailet.service(mail);
        assertThat(reason(mail)).isNull();
    }

    @Test
    void serviceShouldNotCheckACopyForcedOutOfQuarantine() throws Exception {
        FakeMail mail = mail("Content-Description", "d".repeat(3000));
        mail.setAttribute(new Attribute(PortcullisAttributes.FORCED, AttributeValue.of(true)));
        mailet.service(mail);
        assertThat(reason(mail)).isNull();
    }
}
