package io.portcullis.matchers.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMatcherConfig;
import org.junit.jupiter.api.Test;

import io.portcullis.mail.PortcullisAttributes;

class ScoreAtLeastTest {
    static ScoreAtLeast matcher(String condition) throws MessagingException {
        ScoreAtLeast matcher = new ScoreAtLeast();
        matcher.init(FakeMatcherConfig.builder().matcherName("ScoreAtLeast").condition(condition).build());
        return matcher;
    }

    static FakeMail scored(int score) throws MessagingException {
        return FakeMail.builder().name("m").recipients("a@portcullis.test", "b@portcullis.test")
            .attribute(new Attribute(PortcullisAttributes.SCORE, AttributeValue.of(score))).build();
    }

    @Test
    void matchShouldReturnAllRecipientsWhenTheScoreReachesTheThreshold() throws Exception {
        assertThat(matcher("100").match(scored(100)))
            .containsExactly(new MailAddress("a@portcullis.test"), new MailAddress("b@portcullis.test"));
        assertThat(matcher("60").match(scored(1040))).hasSize(2);
    }

    @Test
    void matchShouldReturnAnEmptyCollectionBelowTheThreshold() throws Exception {
        assertThat(matcher("100").match(scored(99))).isNotNull().isEmpty();
    }

    @Test
    void matchShouldTreatAnUnscoredMessageAsZero() throws Exception {
        FakeMail mail = FakeMail.builder().name("m").recipient("a@portcullis.test").build();

        assertThat(matcher("1").match(mail)).isEmpty();
        assertThat(matcher("0").match(mail)).hasSize(1);
    }

    @Test
    void initShouldThrowWhenTheConditionIsNotAnInteger() {
        assertThatThrownBy(() -> matcher("lots"))
            .isInstanceOf(MessagingException.class)
            .hasMessage("ScoreAtLeast: invalid condition 'lots': expected an integer such as 60 or 100");
    }

    @Test
    void initShouldThrowWhenTheConditionIsMissing() {
        assertThatThrownBy(() -> matcher(null))
            .hasMessage("ScoreAtLeast: invalid condition '': expected an integer such as 60 or 100");
    }
}
