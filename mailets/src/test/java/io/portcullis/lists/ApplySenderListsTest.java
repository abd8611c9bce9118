package io.portcullis.lists;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.List;

import javax.mail.MessagingException;

import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.jdkim.mailets.DKIMSign;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.portcullis.dns.DnsLookupService;
import io.portcullis.dns.TestDnsServer;
import io.portcullis.scoring.ScoreFilter;
import io.portcullis.scoring.ScoreFilters;
import io.portcullis.scoring.ScoreSheet;
import io.portcullis.scoring.TestFileSystem;

/** The lists against a real DNS server on loopback: SPF records and DKIM keys decide whether an allow counts. */
class ApplySenderListsTest {
    static final String PARTNER_IP = "192.0.2.7";
    static final String OTHER_IP = "198.51.100.9";
    static TestDnsServer server;
    static DnsLookupService dns;
    static DKIMSign partnerSigner;

    @TempDir
    Path dir;

    @BeforeAll
    static void startDns() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(1024);
        KeyPair keys = generator.generateKeyPair();
        server = TestDnsServer.start()
            .txt("partner.example", "v=spf1 ip4:192.0.2.0/24 -all")
            .txt("letters.example", "v=spf1 ip4:192.0.2.0/24 -all")
            .txt("elsewhere.example", "v=spf1 ip4:192.0.2.0/24 -all")
            .txt("esp.example", "v=spf1 ip4:203.0.113.0/24 -all")
            .txt("sel._domainkey.mail.partner.example", "v=DKIM1; k=rsa; p=" + Base64.getEncoder().encodeToString(keys.getPublic().getEncoded()))
            .a("7.2.0.192.bl.example", "127.0.0.2");
        dns = server.lookupService();
        partnerSigner = new DKIMSign();
        partnerSigner.init(FakeMailetConfig.builder().mailetName("DKIMSign")
            .setProperty("signatureTemplate", "v=1; s=sel; d=mail.partner.example; h=from:to:subject; a=rsa-sha256; bh=; b=;")
            .setProperty("privateKey", "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(keys.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n")
            .build());
    }

    @AfterAll
    static void stopDns() {
        server.close();
    }

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
        ApplySenderLists mailet = new ApplySenderLists(new TestFileSystem(dir), dns);
        mailet.init(config.build());
        return mailet;
    }

    /** Mail of the sender (envelope and From) from the partners' network, where their SPF records allow them. */
    static FakeMail mail(String sender, String... recipients) throws MessagingException {
        return mailFrom(sender, sender, PARTNER_IP, recipients);
    }

    static FakeMail mailFrom(String envelope, String from, String ip, String... recipients) throws MessagingException {
        return FakeMail.builder().name("m").sender(envelope).recipients(recipients).remoteAddr(ip)
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().addHeader("From", from).addToRecipient(recipients)
                .setSubject("hi").setText("x")).build();
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
    void serviceShouldNotApplyAnAllowEntryMatchedByAForgedEnvelopeSender() throws Exception {
        FakeMail mail = mailFrom("boss@partner.example", "boss@partner.example", OTHER_IP, "bob@portcullis.test");

        mailet().service(mail);

        assertThat(ListDecision.of(mail)).isEmpty();
        assertThat(ScoreSheet.reasons(mail)).containsExactly(
            "sender boss@partner.example is on the global allow list (@partner.example) but SPF does not pass for its domain: allow not applied: +0");
        assertThat(ScoreSheet.rules(mail)).containsExactly("list:unverified");
    }

    @Test
    void serviceShouldNotApplyAnAllowEntryMatchedByOneOfSeveralFromAddresses() throws Exception {
        FakeMail mail = mailFrom("a@evil.example", "a@evil.example, boss@partner.example", PARTNER_IP, "bob@portcullis.test");

        mailet().service(mail);

        assertThat(ListDecision.of(mail)).isEmpty();
        assertThat(ScoreSheet.reasons(mail)).containsExactly(
            "sender boss@partner.example is on the global allow list (@partner.example) but the From header does not name exactly one address: allow not applied: +0");
    }

    @Test
    void serviceShouldNotApplyAnAllowEntryMatchedByAFromAddressNoAuthenticationConfirms() throws Exception {
        FakeMail mail = mailFrom("bounce@esp.example", "boss@partner.example", OTHER_IP, "bob@portcullis.test");

        mailet().service(mail);

        assertThat(ListDecision.of(mail)).isEmpty();
        assertThat(ScoreSheet.reasons(mail)).containsExactly(
            "sender boss@partner.example is on the global allow list (@partner.example) but neither SPF, DKIM nor DMARC confirms its domain: allow not applied: +0");
    }

    @Test
    void serviceShouldApplyAnAllowEntryMatchedByTheFromAddressWhenAnAlignedDkimSignatureVerifies() throws Exception {
        FakeMail mail = mailFrom("bounce@esp.example", "boss@partner.example", OTHER_IP, "bob@portcullis.test");
        partnerSigner.service(mail);

        mailet().service(mail);

        assertThat(ListDecision.of(mail)).contains(ListDecision.ALLOW);
        assertThat(ScoreSheet.reasons(mail)).containsExactly("sender boss@partner.example is on the global allow list (@partner.example): +0");
    }

    @Test
    void serviceShouldApplyAnAllowEntryToAnAuthenticatedUsersMailWithoutSpf() throws Exception {
        FakeMail mail = mailFrom("boss@partner.example", "boss@partner.example", OTHER_IP, "bob@portcullis.test");
        mail.setAttribute(new Attribute(AttributeName.of("org.apache.james.SMTPAuthUser"), AttributeValue.of("boss@partner.example")));

        mailet().service(mail);

        assertThat(ListDecision.of(mail)).contains(ListDecision.ALLOW);
    }

    @Test
    void serviceShouldBlockWithoutAuthentication() throws Exception {
        FakeMail mail = mailFrom("bounce@esp.example", "a@evil.example, promo@bulk.example", OTHER_IP, "bob@portcullis.test");

        mailet().service(mail);

        assertThat(ListDecision.of(mail)).contains(ListDecision.BLOCK);
    }

    @Test
    void serviceShouldNotApplyARecipientsAllowEntryWithoutAuthentication() throws Exception {
        FakeMail mail = mailFrom("news@letters.example", "news@letters.example", OTHER_IP, "bob@portcullis.test");

        mailet().service(mail);

        assertThat(ListDecision.of(mail)).isEmpty();
        assertThat(ScoreSheet.rules(mail)).containsExactly("list:unverified");
    }

    @Test
    void scoreFiltersShouldSkipOnlyReputationChecksForAllowedMail() throws Exception {
        FakeMail mail = mail("boss@partner.example", "bob@portcullis.test");
        mail.setMessageSize(100);
        mailet().service(mail);
        ScoreFilter dnsbl = ScoreFilters.create(dns, "check", "dnsbl", "zones", "bl.example=40");
        ScoreFilter size = ScoreFilters.create(dns, "check", "size", "maxSize", "1");

        dnsbl.service(mail);
        size.service(mail);

        assertThat(ScoreSheet.rules(mail)).containsExactly("list:allowed", "smtp:oversized");
    }

    @Test
    void scoreFiltersShouldSkipEverythingButAttachmentsForBlockedMail() throws Exception {
        FakeMail mail = mail("promo@bulk.example", "bob@portcullis.test");
        mail.setMessageSize(100);
        mailet().service(mail);
        ScoreFilter size = ScoreFilters.create(dns, "check", "size", "maxSize", "1");
        ScoreFilter attachments = ScoreFilters.create(dns, "check", "attachments");

        size.service(mail);
        attachments.service(mail);

        assertThat(ScoreSheet.rules(mail)).containsExactly("spam:bannedsender");
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
        ApplySenderLists mailet = new ApplySenderLists(new TestFileSystem(Path.of("..")), dns);

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
