package io.portcullis.checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.mail.MessagingException;

import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.portcullis.dns.DnsConfiguration;
import io.portcullis.dns.DnsLookupService;
import io.portcullis.scoring.ScoreFilter;
import io.portcullis.scoring.ScoreFilters;
import io.portcullis.scoring.ScoreSheet;

class ContentCheckTest {
    static final String GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*" + "GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";
    static final DnsLookupService DNS = new DnsLookupService(DnsConfiguration.systemDefault());
    /** The repository's top directory: the shipped conf/content-rules.conf is tested as it is. */
    static final Path TOP = Path.of("..");

    static ScoreFilter shippedRules() throws MessagingException {
        return ScoreFilters.create(DNS, TOP, FakeMailContext.defaultContext(), "check", "content");
    }

    static FakeMail mail(String subject, String text) throws MessagingException {
        return FakeMail.builder().name("m").sender("alice@sender.example").recipient("bob@portcullis.test")
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject(subject).setText(text)).build();
    }

    @Test
    void serviceShouldScoreGtubeAsJunkWithTheShippedRules() throws Exception {
        FakeMail mail = mail("test", "This is the GTUBE, the\n" + GTUBE + "\n");

        shippedRules().service(mail);

        assertThat(ScoreSheet.score(mail)).isEqualTo(1000);
        assertThat(ScoreSheet.reasons(mail)).containsExactly(
            "content rule spam:gtube matched the body ('XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X'): +1000");
        assertThat(ScoreSheet.rules(mail)).containsExactly("spam:gtube");
    }

    @Test
    void serviceShouldScoreAKeywordWithTheShippedRules() throws Exception {
        FakeMail mail = mail("offer", "Buy Viagra here.");

        shippedRules().service(mail);

        assertThat(ScoreSheet.reasons(mail)).containsExactly("content rule content:pharmacy matched the body (keyword 'Viagra'): +30");
    }

    @Test
    void serviceShouldScoreASubjectRegexWithTheShippedRules() throws Exception {
        FakeMail mail = mail("Congratulations, you have won!", "details inside");

        shippedRules().service(mail);

        assertThat(ScoreSheet.reasons(mail)).containsExactly("content rule content:prize-subject matched the subject ('you have won'): +20");
    }

    @Test
    void serviceShouldAddNothingForACleanMessage() throws Exception {
        FakeMail mail = mail("Minutes of Tuesday's meeting", "Hello team, the minutes are attached. Regards, Bob");

        shippedRules().service(mail);

        assertThat(ScoreSheet.reasons(mail)).isEmpty();
        assertThat(ScoreSheet.score(mail)).isZero();
    }

    @Test
    void keywordsShouldMatchWholeWordsOnly() throws Exception {
        FakeMail mail = mail("hi", "the barristers' association");

        shippedRules().service(mail);

        assertThat(ScoreSheet.reasons(mail)).isEmpty();
    }

    @Test
    void serviceShouldMatchAHeaderRuleAndHtmlBodiesWithoutTags(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("conf"));
        Files.write(dir.resolve("conf/rules.conf"), List.of(
            "# test rules",
            "content:mailer 7 header:X-Mailer regex (?i)bulkmailer",
            "content:free 9 body keywords totally free"));
        ScoreFilter filter = ScoreFilters.create(DNS, dir, FakeMailContext.defaultContext(), "check", "content", "rules", "file://conf/rules.conf");
        FakeMail mail = FakeMail.builder().name("m").recipient("bob@portcullis.test")
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().addHeader("X-Mailer", "BulkMailer 2.0").setSubject("x")
                .setContent(MimeMessageBuilder.multipartBuilder()
                    .addBody(MimeMessageBuilder.bodyPartBuilder().data("<p>It is <b>totally</b> free</p>").type("text/html"))))
            .build();

        filter.service(mail);

        assertThat(ScoreSheet.reasons(mail)).containsExactly(
            "content rule content:mailer matched header X-Mailer ('BulkMailer'): +7",
            "content rule content:free matched the body (keyword 'totally free'): +9");
        assertThat(ScoreSheet.rules(mail)).containsExactly("content:mailer", "content:free");
    }

    @Test
    void initShouldNameTheFileAndLineOfABrokenRule(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("conf"));
        Files.write(dir.resolve("conf/rules.conf"), List.of("# ok", "content:bad 10 body regex (unclosed"));

        assertThatThrownBy(() -> ScoreFilters.create(DNS, dir, FakeMailContext.defaultContext(), "check", "content", "rules", "file://conf/rules.conf"))
            .isInstanceOf(MessagingException.class)
            .hasMessageContaining("parameter 'rules' has invalid value 'file://conf/rules.conf'")
            .hasMessageContaining("rules.conf line 2: invalid regular expression");
    }

    @Test
    void initShouldFailWhenTheRuleFileIsMissing(@TempDir Path dir) {
        assertThatThrownBy(() -> ScoreFilters.create(DNS, dir, FakeMailContext.defaultContext(), "check", "content"))
            .isInstanceOf(MessagingException.class)
            .hasMessageStartingWith("ScoreFilter: parameter 'rules' has invalid value 'file://conf/content-rules.conf': expected an existing rule file");
    }

    @Test
    void serviceShouldUseNewRulesWhenTheFileChanges(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("conf"));
        Path rules = dir.resolve("conf/rules.conf");
        Files.write(rules, List.of("content:one 1 body keywords alpha"));
        ScoreFilter filter = ScoreFilters.create(DNS, dir, FakeMailContext.defaultContext(), "check", "content", "rules", "file://conf/rules.conf");
        Files.write(rules, List.of("content:two 2 body keywords alpha"));
        rules.toFile().setLastModified(rules.toFile().lastModified() + 5000);
        FakeMail mail = mail("x", "alpha");

        filter.service(mail);

        assertThat(ScoreSheet.reasons(mail)).containsExactly("content rule content:two matched the body (keyword 'alpha'): +2");
    }
}
