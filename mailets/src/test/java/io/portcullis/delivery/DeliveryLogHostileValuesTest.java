package io.portcullis.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.portcullis.store.HostileText;

/** Delivery attempts whose values came from a sender or a receiving server (addresses, host, reply) always fit their columns. */
class DeliveryLogHostileValuesTest {
    @RegisterExtension
    static final DeliveryStoreFixture fixture = new DeliveryStoreFixture();

    @Test
    void recordShouldSucceedWhenEveryValueIsHostile() throws Exception {
        DeliveryLog log = fixture.emptyLog();
        for (String hostile : HostileText.ALL) {
            log.record(new DeliveryAttempt(0, Instant.now(), Optional.of(hostile), hostile, hostile + "@remote.example",
                List.of(hostile + "@acme.test", hostile), 1, Optional.of(hostile), Optional.of(hostile), DeliveryAttempt.Tls.NO,
                new SmtpReply(Optional.of(550), Optional.of(hostile), hostile), DeliveryAttempt.Outcome.FAILED));
        }

        List<DeliveryAttempt> stored = log.search(DeliveryLog.Query.latest(100));

        assertThat(stored).hasSize(HostileText.ALL.size());
        assertThat(stored).allSatisfy(attempt -> {
            assertThat(attempt.sender()).matches(s -> HostileText.fits(s, 512));
            assertThat(attempt.reply().text()).matches(s -> HostileText.fits(s, 2000));
            assertThat(attempt.host().orElseThrow()).matches(s -> HostileText.fits(s, 255));
        });
    }
}
