package io.portcullis.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import javax.mail.MessagingException;

import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.Test;

class TagSuspectTest {
    static TagSuspect mailet(String... nameValues) throws MessagingException {
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName("TagSuspect");
        for (int i = 0; i < nameValues.length; i += 2) {
            config.setProperty(nameValues[i], nameValues[i + 1]);
        }
        TagSuspect mailet = new TagSuspect();
        mailet.init(config.build());
        return mailet;
    }

    static FakeMail scored() throws MessagingException {
        FakeMail mail = FakeMail.builder().name("m").recipient("bob@portcullis.test")
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("Cheap offer").setText("x")).build();
        ScoreSheet.add(mail, new Finding(40, "sender's server 192.0.2.7 is listed on bl.example (127.0.0.2)", "spam:rbllookup"));
        ScoreSheet.add(mail, new Finding(30, "content rule content:pharmacy matched the body (keyword 'viagra')", "content:pharmacy"));
        return mail;
    }

    @Test
    void serviceShouldTagTheSubjectAndAddScoreAndReasonHeaders() throws Exception {
        FakeMail mail = scored();

        mailet().service(mail);

        assertThat(mail.getMessage().getSubject()).isEqualTo("[SUSPECT] Cheap offer");
        assertThat(mail.getMessage().getHeader("X-Portcullis-Score")).containsExactly("70");
        assertThat(javax.mail.internet.MimeUtility.unfold(mail.getMessage().getHeader("X-Portcullis-Reasons")[0])).isEqualTo(
            "sender's server 192.0.2.7 is listed on bl.example (127.0.0.2): +40; content rule content:pharmacy matched the body (keyword 'viagra'): +30");
    }

    @Test
    void serviceShouldNotTagTwice() throws Exception {
        FakeMail mail = scored();
        TagSuspect mailet = mailet("subjectPrefix", "*** SPAM ***");

        mailet.service(mail);
        mailet.service(mail);

        assertThat(mail.getMessage().getSubject()).isEqualTo("*** SPAM *** Cheap offer");
        assertThat(mail.getMessage().getHeader("X-Portcullis-Score")).containsExactly("70");
    }

    @Test
    void serviceShouldOnlyAddHeadersWhenThePrefixIsEmpty() throws Exception {
        FakeMail mail = scored();

        mailet("subjectPrefix", "").service(mail);

        assertThat(mail.getMessage().getSubject()).isEqualTo("Cheap offer");
        assertThat(mail.getMessage().getHeader("X-Portcullis-Score")).containsExactly("70");
    }

    @Test
    void initShouldThrowWhenAddHeadersIsNotABoolean() {
        assertThatThrownBy(() -> mailet("addHeaders", "maybe"))
            .hasMessage("TagSuspect: parameter 'addHeaders' has invalid value 'maybe': expected true or false");
    }
}
