package io.portcullis.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.MimeMessage;

import org.apache.mailet.base.test.FakeMail;
import org.junit.jupiter.api.Test;

import io.portcullis.checks.CheckRegistry;
import io.portcullis.config.Parameter;
import io.portcullis.dns.DnsConfiguration;
import io.portcullis.dns.DnsLookupService;

class ScoreFilterTest {
    static final DnsLookupService DNS = new DnsLookupService(DnsConfiguration.systemDefault());

    @Test
    void serviceShouldSayTheCheckCouldNotRunAndKeepTheMailWhenTheMessageCannotBeParsed() throws Exception {
        String raw = "From: a@sender.example\r\nSubject: broken\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed\r\n\r\nno boundary here\r\n";
        MimeMessage message = new MimeMessage(Session.getDefaultInstance(new Properties()), new ByteArrayInputStream(raw.getBytes(StandardCharsets.US_ASCII)));
        FakeMail mail = FakeMail.builder().name("m").recipient("bob@portcullis.test").mimeMessage(message).build();

        ScoreFilters.create(DNS, "check", "attachments").service(mail);

        assertThat(ScoreSheet.reasons(mail)).hasSize(1);
        assertThat(ScoreSheet.reasons(mail).get(0)).startsWith("check attachments could not run: ").endsWith(": +0");
        assertThat(ScoreSheet.rules(mail)).containsExactly("check:tempfail");
        assertThat(mail.getState()).isNotEqualTo(org.apache.mailet.Mail.GHOST);
    }

    @Test
    void scoresShouldAddUpAcrossFilters() throws Exception {
        FakeMail mail = FakeMail.builder().name("m").recipient("bob@portcullis.test").size(5000)
            .mimeMessage(org.apache.james.core.builder.MimeMessageBuilder.mimeMessageBuilder().setSubject("x").setText("y")).build();

        ScoreFilters.create(DNS, "check", "size", "maxSize", "1K", "score", "7").service(mail);
        ScoreFilters.create(DNS, "check", "size", "maxSize", "2K", "score", "5").service(mail);

        assertThat(ScoreSheet.score(mail)).isEqualTo(12);
        assertThat(ScoreSheet.reasons(mail)).containsExactly("message size 4.9 KB exceeds 1.0 KB: +7", "message size 4.9 KB exceeds 2.0 KB: +5");
        assertThat(ScoreSheet.rules(mail)).containsExactly("smtp:oversized");
    }

    @Test
    void initShouldThrowWhenCheckIsMissing() {
        assertThatThrownBy(() -> ScoreFilters.create(DNS))
            .isInstanceOf(MessagingException.class)
            .hasMessageStartingWith("ScoreFilter: parameter 'check' is required");
    }

    @Test
    void parametersShouldListEveryParameterOfEveryCheck() {
        for (CheckDefinition definition : CheckRegistry.ALL) {
            for (Parameter parameter : definition.parameters()) {
                assertThat(ScoreFilter.PARAMETERS).extracting(Parameter::name).contains(parameter.name());
            }
        }
        assertThat(ScoreFilter.PARAMETERS).extracting(Parameter::name).doesNotHaveDuplicates();
    }
}
