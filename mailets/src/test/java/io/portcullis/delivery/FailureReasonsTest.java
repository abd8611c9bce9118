package io.portcullis.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class FailureReasonsTest {
    @Test
    void parseShouldSplitCodeEnhancedCodeAndText() {
        SmtpReply reply = SmtpReply.parse("550 5.1.1 <bob@acme.test>... User unknown");

        assertThat(reply.code()).contains(550);
        assertThat(reply.enhancedCode()).contains("5.1.1");
        assertThat(reply.text()).isEqualTo("<bob@acme.test>... User unknown");
        assertThat(reply.isPermanent()).isTrue();
        assertThat(reply.raw()).isEqualTo("550 5.1.1 <bob@acme.test>... User unknown");
    }

    @Test
    void parseShouldFindATrailingEnhancedCode() {
        SmtpReply reply = SmtpReply.parse("552 sorry, that message size exceeds my databytes limit (#5.3.4)");

        assertThat(reply.code()).contains(552);
        assertThat(reply.enhancedCode()).contains("5.3.4");
    }

    @Test
    void parseShouldKeepTextWithoutCode() {
        SmtpReply reply = SmtpReply.parse("Cannot connect to 127.0.0.1:25: Connection refused");

        assertThat(reply.code()).isEmpty();
        assertThat(reply.enhancedCode()).isEqualTo(Optional.empty());
        assertThat(reply.raw()).isEqualTo("Cannot connect to 127.0.0.1:25: Connection refused");
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
        "550 5.1.1 <xxx@example.com>... User unknown;does not exist",
        "550 Invalid recipient <xxxx@xx.com> (#5.1.1);does not exist",
        "554 delivery error: dd This user doesn't have a example.com account;does not exist",
        "552 sorry, that message size exceeds my databytes limit (#5.3.4);larger than",
        "553 Syntax error (4.2.1);syntax",
        "550 Denied by policy.;by policy",
        "550 Requested action not taken: mailbox unavailable;mailbox is unavailable",
        "554 Transaction failed;refused the delivery",
        "450 4.3.0 Error: command failed;Temporary failure",
        "421 4.3.2 Service shutting down;not available right now",
        "Cannot connect to 10.0.0.1:25: Connection refused;could not be reached"})
    void explainShouldDescribeTheCommonRepliesOfTheSeed(String reply, String expected) {
        assertThat(FailureReasons.explain(reply)).contains(expected);
    }
}
