package io.portcullis.delivery;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;

import javax.mail.MessagingException;

import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.Test;

class RecordDeliveryOutcomeTest {
    private final RecordDeliveryOutcome mailet = new RecordDeliveryOutcome(new DeliveryRecorder(null, event -> { }, Clock.systemUTC()));

    @Test
    void initShouldFailNamingTheValueWhenTheOutcomeIsInvalid() {
        assertThatThrownBy(() -> mailet.init(FakeMailetConfig.builder().mailetName("record").setProperty("outcome", "deferred").build()))
            .isInstanceOf(MessagingException.class).hasMessageContaining("outcome").hasMessageContaining("deferred");
    }

    @Test
    void initShouldFailWhenTheOutcomeIsMissing() {
        assertThatThrownBy(() -> mailet.init(FakeMailetConfig.builder().mailetName("record").build()))
            .isInstanceOf(MessagingException.class).hasMessageContaining("outcome");
    }

    @Test
    void initShouldFailWhenAParameterIsUnknown() {
        assertThatThrownBy(() -> mailet.init(FakeMailetConfig.builder().mailetName("record").setProperty("outcome", "failed")
            .setProperty("outcom", "x").build()))
            .isInstanceOf(MessagingException.class).hasMessageContaining("outcom");
    }
}
