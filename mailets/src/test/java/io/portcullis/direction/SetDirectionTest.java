package io.portcullis.direction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import javax.mail.MessagingException;

import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.Test;

import io.portcullis.mail.PortcullisAttributes;

class SetDirectionTest {
    private static FakeMail.Builder mail() throws MessagingException {
        return FakeMail.builder().name("m1").sender("alice@remote.example").recipient("bob@portcullis.test")
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("hi").setText("body"));
    }

    private static SetDirection mailet(String addHeader) throws MessagingException {
        SetDirection mailet = new SetDirection();
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName("SetDirection");
        if (addHeader != null) {
            config.setProperty("addHeader", addHeader);
        }
        mailet.init(config.build());
        return mailet;
    }

    @Test
    void serviceShouldMarkInboundWhenNeitherAuthenticatedNorRelayNetwork() throws Exception {
        FakeMail mail = mail().build();

        mailet(null).service(mail);

        assertThat(mail.getAttribute(PortcullisAttributes.DIRECTION)).contains(new Attribute(PortcullisAttributes.DIRECTION, AttributeValue.of("inbound")));
        assertThat(mail.getMessage().getHeader(SetDirection.HEADER)).isNull();
    }

    @Test
    void serviceShouldMarkOutboundWhenAuthenticated() throws Exception {
        FakeMail mail = mail().attribute(new Attribute(Direction.SMTP_AUTH_USER, AttributeValue.of("bob@portcullis.test"))).build();

        mailet("true").service(mail);

        assertThat(Direction.of(mail)).contains(Direction.OUTBOUND);
        assertThat(mail.getMessage().getHeader(SetDirection.HEADER)).containsExactly("outbound");
    }

    @Test
    void serviceShouldMarkOutboundWhenFromRelayNetwork() throws Exception {
        FakeMail mail = mail().attribute(new Attribute(Direction.SMTP_AUTH_NETWORK, AttributeValue.of(true))).build();

        mailet(null).service(mail);

        assertThat(Direction.of(mail)).contains(Direction.OUTBOUND);
    }

    @Test
    void initShouldThrowWhenUnknownParameter() {
        SetDirection mailet = new SetDirection();

        assertThatThrownBy(() -> mailet.init(FakeMailetConfig.builder().mailetName("SetDirection").setProperty("addHeaders", "true").build()))
            .isInstanceOf(MessagingException.class)
            .hasMessageContaining("addHeaders");
    }

    @Test
    void initShouldThrowWhenAddHeaderIsNotABoolean() {
        assertThatThrownBy(() -> mailet("sometimes"))
            .hasMessage("SetDirection: parameter 'addHeader' has invalid value 'sometimes': expected true or false");
    }
}
