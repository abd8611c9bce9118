package io.portcullis.lists;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.mail.MessagingException;

import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.portcullis.dns.DnsConfiguration;
import io.portcullis.dns.DnsLookupService;
import io.portcullis.scoring.ScoreFilter;
import io.portcullis.scoring.ScoreFilters;
import io.portcullis.scoring.ScoreSheet;
import io.portcullis.scoring.TestFileSystem;

class ApplySenderListsTest {
    @TempDir
    Path dir;

    @BeforeEach
    void writeLists() throws Exception {
        Files.createDirectories(dir.resolve("conf"));
        Files.write(dir.resolve("conf/sender-lists.conf"), List.of(
            "# test lists",
            "*                    allow  @partner.example",
            "*                    block  @bulk.example",
            "*                    block  liar@partner.example",
            "bob@portcullis.test  allow  news@letters.example",
            "eve@portcullis.test  block  news@letters.example"));
    }

    ApplySenderLists mailet(String... nameValues) throws MessagingException {
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName("ApplySenderLists");
        for (int i = 0; i < nameValues.length; i += 2) {
            config.setProperty(nameValues[i], nameValues[i + 1]);
        }
        ApplySenderLists mailet = new ApplySenderLists(new TestFileSystem(dir));
        mailet.init(config.build());
        return mailet;
    }

    static FakeMail mail(String sender, String... recipients) throws MessagingException {
        return FakeMail.builder().name("m").sender(sender).recipients(recipients)
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().addFrom(sender).setSubject("hi").setText("x")).build();
    }

    @Test
    void serviceShouldBlockASenderOnTheGlobalBlockList() throws Exception {
        FakeMail mail = mail("promo@mx.bulk.example", "bob@portcullis.test");

        mailet().service(mail);

        assertThat(ListDecision.of(mail)).contains(ListDecision.BLOCK);
        assertThat(ScoreSheet.score(mail)).isEqualTo(1000);
        assertThat(ScoreSheet.reasons(mail)).containsExactly("sender promo@mx.bulk.example is on the global block list (@bulk.example): +1000");
        assertThat(ScoreSheet.rules(mail)).containsExactly("spam:bannedsender");
    }

    @Test
    void serviceShouldAllowASenderOnTheGlobalAllowList() throws Exception {
        FakeMail mail = mail("boss@partner.example", "bob@portcullis.test");

        mailet("allowScore", "-20").service(mail);

        assertThat(ListDecision.of(mail)).contains(ListDecision.ALLOW);
        assertThat(ScoreSheet.reasons(mail)).containsExactly("sender boss@partner.example is on the global allow list (@partner.example): -20");
        assertThat(ScoreSheet.rules(mail)).containsExactly("list:allowed");
    }

    @Test
    void serviceShouldPreferABlockEntryOfTheSameList() throws Exception {
        FakeMail mail = mail("liar@partner.example", "bob@portcullis.test");

        mailet().service(mail);

        assertThat(ListDecision.of(mail)).contains(ListDecision.BLOCK);
    }

    @Test
    void serviceShouldApplyARecipientsOwnList() throws Exception {
        FakeMail mail = mail("news@letters.example", "bob@portcullis.test");

        mailet().service(mail);

        assertThat(ListDecision.of(mail)).contains(ListDecision.ALLOW);
        assertThat(ScoreSheet.reasons(mail)).containsExactly("sender news@letters.example is on the allow list of bob@portcullis.test (news@letters.example): +0");
    }

    @Test
    void serviceShouldNotDecideWhenRecipientsListsDisagree() throws Exception {
        FakeMail mail = mail("news@letters.example", "bob@portcullis.test", "eve@portcullis.test");

        mailet().service(mail);

        assertThat(ListDecision.of(mail)).isEmpty();
        assertThat(ScoreSheet.score(mail)).isZero();
        assertThat(ScoreSheet.reasons(mail)).containsExactly(
            "sender news@letters.example is on the allow list of bob@portcullis.test (news@letters.example) but not every recipient's list decides the same: no decision: +0",
            "sender news@letters.example is on the block list of eve@portcullis.test (news@letters.example) but not every recipient's list decides the same: no decision: +0");
    }

    @Test
    void serviceShouldDoNothingForAnUnlistedSender() throws Exception {
        FakeMail mail = mail("someone@elsewhere.example", "bob@portcullis.test");

        mailet().service(mail);

        assertThat(ListDecision.of(mail)).isEmpty();
        assertThat(ScoreSheet.reasons(mail)).isEmpty();
    }

    @Test
    void scoreFiltersShouldSkipAllowedMailButStillLookForThreats() throws Exception {
        FakeMail mail = mail("boss@partner.example", "bob@portcullis.test");
        mailet().service(mail);
        DnsLookupService dns = new DnsLookupService(DnsConfiguration.systemDefault());
        ScoreFilter size = ScoreFilters.create(dns, "check", "size", "maxSize", "1");
        ScoreFilter attachments = ScoreFilters.create(dns, "check", "attachments");

        size.service(mail);
        attachments.service(mail);

        assertThat(ScoreSheet.rules(mail)).containsExactly("list:allowed");
    }

    @Test
    void initShouldNameTheLineOfABrokenEntry() throws Exception {
        Files.write(dir.resolve("conf/sender-lists.conf"), List.of("*  permit  @x.example"));

        assertThatThrownBy(this::mailet)
            .isInstanceOf(MessagingException.class)
            .hasMessage("ApplySenderLists: parameter 'lists' has invalid value 'file://conf/sender-lists.conf': expected a valid list file: sender-lists.conf line 1: 'permit' is neither allow nor block");
    }

    @Test
    void initShouldAcceptTheShippedFile() throws Exception {
        ApplySenderLists mailet = new ApplySenderLists(new TestFileSystem(Path.of("..")));

        mailet.init(FakeMailetConfig.builder().mailetName("ApplySenderLists").build());
    }

    @Test
    void serviceShouldAllowASenderTheRecipientAlwaysAllowedFromAReport() throws Exception {
        try (io.portcullis.store.GatewayStore store = io.portcullis.store.GatewayStore.open(
                io.portcullis.store.StoreConfiguration.embeddedDerby(dir.resolve("store")))) {
            io.portcullis.report.ReportStore reports = new io.portcullis.report.ReportStore(store);
            reports.allowSender("carol@portcullis.test", "friend@elsewhere.example", java.time.Instant.now());
            ApplySenderLists mailet = mailet();
            mailet.setReportAllowList(reports);

            FakeMail allowed = mail("friend@elsewhere.example", "carol@portcullis.test");
            FakeMail other = mail("friend@elsewhere.example", "dave@portcullis.test");
            mailet.service(allowed);
            mailet.service(other);

            assertThat(ListDecision.of(allowed)).contains(ListDecision.ALLOW);
            assertThat(ScoreSheet.reasons(allowed)).containsExactly(
                "sender friend@elsewhere.example is on the allow list of carol@portcullis.test (friend@elsewhere.example): +0");
            assertThat(ListDecision.of(other)).isEmpty();
        }
    }
}
