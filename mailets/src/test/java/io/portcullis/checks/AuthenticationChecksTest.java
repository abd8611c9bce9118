package io.portcullis.checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.Base64;

import javax.mail.MessagingException;

import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.jdkim.mailets.DKIMSign;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import io.portcullis.dns.DnsLookupService;
import io.portcullis.dns.TestDnsServer;
import io.portcullis.mail.PortcullisAttributes;
import io.portcullis.scoring.ScoreFilter;
import io.portcullis.scoring.ScoreFilters;
import io.portcullis.scoring.ScoreSheet;

/** senderdomain, spf, dkim and dmarc against a real DNS server on loopback. */
class AuthenticationChecksTest {
    static TestDnsServer server;
    static DnsLookupService dns;
    static DKIMSign signer;
    static DKIMSign foreignSigner;

    @BeforeAll
    static void setUp() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(1024);
        KeyPair keys = generator.generateKeyPair();
        String publicKey = Base64.getEncoder().encodeToString(keys.getPublic().getEncoded());
        server = TestDnsServer.start()
            .mx("sender.example", 10, "mail.sender.example")
            .a("mail.sender.example", "192.0.2.25")
            .txt("sender.example", "v=spf1 ip4:192.0.2.0/24 -all")
            .txt("_dmarc.sender.example", "v=DMARC1; p=reject; rua=mailto:dmarc@sender.example")
            .txt("sel._domainkey.sender.example", "v=DKIM1; k=rsa; p=" + publicKey)
            .txt("sel._domainkey.signer.example", "v=DKIM1; k=rsa; p=" + publicKey)
            .a("signer.example", "192.0.2.26")
            .a("aonly.example", "192.0.2.30")
            .txt("soft.example", "v=spf1 ip4:192.0.2.0/24 ~all")
            .txt("_dmarc.soft.example", "v=DMARC1; p=quarantine")
            .txt("neutral.example", "v=spf1 ?all")
            .txt("perm.example", "v=spf1 ip4:not-an-ip -all")
            .txt("_dmarc.monitor.example", "v=DMARC1; p=none")
            .a("monitor.example", "192.0.2.31")
            .servfail("temp.example")
            .servfail("_dmarc.temp.example")
            .servfail("sel._domainkey.broken.example")
            .txt("_dmarc.broken.example", "v=DMARC1; p=reject")
            .txt("_dmarc.tempspf.example", "v=DMARC1; p=reject")
            .servfail("tempspf.example")
            .txt("_dmarc.silent.example", "v=DMARC1; p=reject")
            .silentZone("_domainkey.silent.example");
        dns = server.lookupService();
        String pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(keys.getPrivate().getEncoded())
            + "\n-----END PRIVATE KEY-----\n";
        signer = dkimSigner("sender.example", pem);
        foreignSigner = dkimSigner("signer.example", pem);
    }

    private static DKIMSign dkimSigner(String domain, String pem) throws MessagingException {
        DKIMSign sign = new DKIMSign();
        sign.init(FakeMailetConfig.builder().mailetName("DKIMSign")
            .setProperty("signatureTemplate", "v=1; s=sel; d=" + domain + "; h=from:to:subject; a=rsa-sha256; bh=; b=;")
            .setProperty("privateKey", pem)
            .build());
        return sign;
    }

    @AfterAll
    static void tearDown() {
        server.close();
    }

    static FakeMail mail(String envelopeSender, String from, String ip) throws MessagingException {
        FakeMail.Builder builder = FakeMail.builder().name("m").recipient("bob@portcullis.test").remoteAddr(ip).remoteHost("mx.remote.example")
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().addFrom(from).addToRecipient("bob@portcullis.test")
                .setSubject("quarterly report").setText("Please find the figures below.\r\n"));
        if (envelopeSender != null) {
            builder.sender(envelopeSender);
        }
        return builder.build();
    }

    static ScoreFilter filter(String... nameValues) throws MessagingException {
        return ScoreFilters.create(dns, nameValues);
    }

    @Nested
    class SenderDomain {
        @Test
        void serviceShouldScoreWhenTheSenderDomainDoesNotResolve() throws Exception {
            FakeMail mail = mail("alice@nowhere.example", "alice@nowhere.example", "192.0.2.7");

            filter("check", "senderdomain").service(mail);

            assertThat(ScoreSheet.score(mail)).isEqualTo(30);
            assertThat(ScoreSheet.reasons(mail)).containsExactly("sender domain nowhere.example has no MX or A record: +30");
            assertThat(ScoreSheet.rules(mail)).containsExactly("spam:unresolvablesenderdomain");
        }

        @Test
        void serviceShouldAcceptADomainWithAnMxRecord() throws Exception {
            FakeMail mail = mail("alice@sender.example", "alice@sender.example", "192.0.2.7");

            filter("check", "senderdomain").service(mail);

            assertThat(ScoreSheet.reasons(mail)).isEmpty();
        }

        @Test
        void serviceShouldAcceptADomainWithOnlyAnARecord() throws Exception {
            FakeMail mail = mail("alice@aonly.example", "alice@aonly.example", "192.0.2.7");

            filter("check", "senderdomain", "score", "25").service(mail);

            assertThat(ScoreSheet.reasons(mail)).isEmpty();
        }

        @Test
        void serviceShouldSayTheDomainCouldNotBeResolvedWhenDnsFails() throws Exception {
            FakeMail mail = mail("alice@temp.example", "alice@temp.example", "192.0.2.7");

            filter("check", "senderdomain").service(mail);

            assertThat(ScoreSheet.reasons(mail)).containsExactly("sender domain temp.example could not be resolved: SERVFAIL: +0");
            assertThat(ScoreSheet.rules(mail)).containsExactly("check:tempfail");
        }

        @Test
        void serviceShouldNotCheckTheNullSender() throws Exception {
            FakeMail mail = mail(null, "mailer-daemon@nowhere.example", "192.0.2.7");

            filter("check", "senderdomain").service(mail);

            assertThat(ScoreSheet.reasons(mail)).isEmpty();
        }
    }

    @Nested
    class Spf {
        @Test
        void serviceShouldScoreAFail() throws Exception {
            FakeMail mail = mail("alice@sender.example", "alice@sender.example", "198.51.100.9");

            filter("check", "spf").service(mail);

            assertThat(ScoreSheet.score(mail)).isEqualTo(50);
            assertThat(ScoreSheet.reasons(mail)).containsExactly("SPF fail: sender.example does not allow 198.51.100.9 to send its mail: +50");
            assertThat(ScoreSheet.rules(mail)).containsExactly("spam:spf");
            assertThat(ScoreSheet.string(mail, PortcullisAttributes.SPF_RESULT)).contains("fail");
        }

        @Test
        void serviceShouldAddNothingWhenSpfPassesWithTheDefaultScore() throws Exception {
            FakeMail mail = mail("alice@sender.example", "alice@sender.example", "192.0.2.7");

            filter("check", "spf").service(mail);

            assertThat(ScoreSheet.reasons(mail)).isEmpty();
            assertThat(ScoreSheet.string(mail, PortcullisAttributes.SPF_RESULT)).contains("pass");
        }

        @Test
        void serviceShouldUseTheScoreConfiguredForAPass() throws Exception {
            FakeMail mail = mail("alice@sender.example", "alice@sender.example", "192.0.2.7");

            filter("check", "spf", "scorePass", "-5").service(mail);

            assertThat(ScoreSheet.score(mail)).isEqualTo(-5);
            assertThat(ScoreSheet.reasons(mail)).containsExactly("SPF pass: sender.example allows 192.0.2.7: -5");
        }

        @Test
        void serviceShouldScoreASoftfail() throws Exception {
            FakeMail mail = mail("alice@soft.example", "alice@soft.example", "198.51.100.9");

            filter("check", "spf", "scoreSoftfail", "15").service(mail);

            assertThat(ScoreSheet.reasons(mail)).containsExactly("SPF softfail: soft.example does not designate 198.51.100.9 as a sender: +15");
        }

        @Test
        void serviceShouldScoreNeutral() throws Exception {
            FakeMail mail = mail("alice@neutral.example", "alice@neutral.example", "198.51.100.9");

            filter("check", "spf", "scoreNeutral", "3").service(mail);

            assertThat(ScoreSheet.reasons(mail)).containsExactly("SPF neutral: neutral.example says nothing about 198.51.100.9: +3");
        }

        @Test
        void serviceShouldScoreNone() throws Exception {
            FakeMail mail = mail("alice@aonly.example", "alice@aonly.example", "198.51.100.9");

            filter("check", "spf", "scoreNone", "4").service(mail);

            assertThat(ScoreSheet.reasons(mail)).containsExactly("SPF none: aonly.example publishes no SPF record: +4");
        }

        @Test
        void serviceShouldScorePermerror() throws Exception {
            FakeMail mail = mail("alice@perm.example", "alice@perm.example", "198.51.100.9");

            filter("check", "spf").service(mail);

            assertThat(ScoreSheet.reasons(mail)).containsExactly("SPF permerror: the SPF record of perm.example is invalid: +10");
        }

        @Test
        void serviceShouldSaySpfCouldNotBeCheckedWhenDnsFails() throws Exception {
            FakeMail mail = mail("alice@temp.example", "alice@temp.example", "198.51.100.9");

            filter("check", "spf").service(mail);

            assertThat(ScoreSheet.reasons(mail)).containsExactly("SPF of temp.example could not be checked: SERVFAIL looking up temp.example: +0");
            assertThat(ScoreSheet.rules(mail)).containsExactly("check:tempfail");
        }
    }

    @Nested
    class Dkim {
        @Test
        void serviceShouldAddNothingWhenTheSignatureVerifies() throws Exception {
            FakeMail mail = mail("alice@sender.example", "alice@sender.example", "192.0.2.7");
            signer.service(mail);

            filter("check", "dkim").service(mail);

            assertThat(ScoreSheet.reasons(mail)).isEmpty();
            assertThat(ScoreSheet.string(mail, PortcullisAttributes.DKIM_RESULT)).contains("pass");
            assertThat(ScoreSheet.strings(mail, PortcullisAttributes.DKIM_DOMAINS)).containsExactly("sender.example");
        }

        @Test
        void serviceShouldScoreAHardFailWhenTheBodyWasChanged() throws Exception {
            FakeMail mail = mail("alice@sender.example", "alice@sender.example", "192.0.2.7");
            signer.service(mail);
            mail.getMessage().setText("Please find the NEW figures below.\r\n");
            mail.getMessage().saveChanges();

            filter("check", "dkim").service(mail);

            assertThat(ScoreSheet.score(mail)).isEqualTo(40);
            assertThat(ScoreSheet.reasons(mail)).hasSize(1);
            assertThat(ScoreSheet.reasons(mail).get(0)).startsWith("DKIM signature does not verify (").endsWith("): +40");
            assertThat(ScoreSheet.rules(mail)).containsExactly("spam:dkimhardfail");
        }

        @Test
        void serviceShouldScoreAnUnsignedMessageOnlyWhenConfigured() throws Exception {
            FakeMail mail = mail("alice@sender.example", "alice@sender.example", "192.0.2.7");

            filter("check", "dkim", "scoreUnsigned", "5").service(mail);

            assertThat(ScoreSheet.reasons(mail)).containsExactly("message has no DKIM signature: +5");
            assertThat(ScoreSheet.rules(mail)).containsExactly("spam:dkimnone");
        }

        @Test
        void serviceShouldSayDkimCouldNotBeCheckedWhenTheKeyCannotBeFetched() throws Exception {
            FakeMail mail = mail("alice@broken.example", "alice@broken.example", "192.0.2.7");
            dkimSigner("broken.example", pemOf(signer)).service(mail);

            filter("check", "dkim").service(mail);

            assertThat(ScoreSheet.reasons(mail)).containsExactly("DKIM could not be checked: key sel._domainkey.broken.example could not be fetched: SERVFAIL: +0");
            assertThat(ScoreSheet.rules(mail)).containsExactly("check:tempfail");
        }
    }

    @Nested
    class DkimSignatureCap {
        @Test
        void serviceShouldCheckOnlyTheFirstSignaturesWhenAMessageCarriesHundredsAtAZoneThatNeverAnswers() throws Exception {
            FakeMail mail = mail("alice@silent.example", "alice@silent.example", "198.51.100.9");
            for (int i = 0; i < 300; i++) {
                mail.getMessage().addHeader("DKIM-Signature", "v=1; a=rsa-sha256; c=relaxed/relaxed; d=silent.example; s=sel" + i
                    + "; h=from:to:subject; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=dGVzdA==");
            }
            mail.getMessage().saveChanges();

            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
                filter("check", "dkim").service(mail);
                filter("check", "dmarc").service(mail);
            });

            assertThat(ScoreSheet.reasons(mail)).contains("DKIM: 295 signatures beyond the first 5 were not checked: +0");
            assertThat(ScoreSheet.reasons(mail)).anyMatch(reason -> reason.startsWith("DKIM could not be checked: key sel0._domainkey.silent.example could not be fetched: timeout"));
            assertThat(ScoreSheet.rules(mail)).contains("check:dkimcap", "check:tempfail");
            assertThat(server.queries().stream().filter(q -> q.contains("._domainkey.silent.example")).count()).isEqualTo(5);
        }

        @Test
        void serviceShouldPassWhenOneOfSeveralSignaturesVerifiesAndAnotherKeyCannotBeFetched() throws Exception {
            FakeMail mail = mail("alice@sender.example", "alice@sender.example", "198.51.100.9");
            dkimSigner("broken.example", pemOf(signer)).service(mail);
            signer.service(mail);

            filter("check", "dkim").service(mail);

            assertThat(ScoreSheet.reasons(mail)).isEmpty();
            assertThat(ScoreSheet.strings(mail, PortcullisAttributes.DKIM_DOMAINS)).containsExactly("sender.example");
            assertThat(ScoreSheet.strings(mail, PortcullisAttributes.DKIM_TEMPERROR_DOMAINS)).containsExactly("broken.example");
        }
    }

    private static String pemOf(DKIMSign ignored) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(1024);
        return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(generator.generateKeyPair().getPrivate().getEncoded())
            + "\n-----END PRIVATE KEY-----\n";
    }

    @Nested
    class Dmarc {
        @Test
        void serviceShouldScoreRejectWhenNeitherSpfNorDkimAligns() throws Exception {
            FakeMail mail = mail("bounce@aonly.example", "ceo@sender.example", "198.51.100.9");

            filter("check", "dmarc").service(mail);

            assertThat(ScoreSheet.score(mail)).isEqualTo(100);
            assertThat(ScoreSheet.reasons(mail)).containsExactly(
                "DMARC policy reject of sender.example: From domain is aligned with neither SPF (none, aonly.example) nor DKIM (none): +100");
            assertThat(ScoreSheet.rules(mail)).containsExactly("spam:dmarcreject");
        }

        @Test
        void serviceShouldReuseTheResultsOfEarlierSpfAndDkimFilters() throws Exception {
            FakeMail mail = mail("alice@sender.example", "alice@sender.example", "198.51.100.9");

            filter("check", "spf").service(mail);
            filter("check", "dkim").service(mail);
            filter("check", "dmarc").service(mail);

            assertThat(ScoreSheet.reasons(mail)).containsExactly(
                "SPF fail: sender.example does not allow 198.51.100.9 to send its mail: +50",
                "DMARC policy reject of sender.example: From domain is aligned with neither SPF (fail, sender.example) nor DKIM (none): +100");
            assertThat(ScoreSheet.rules(mail)).containsExactly("spam:spf", "spam:dmarcreject");
            assertThat(ScoreSheet.score(mail)).isEqualTo(150);
        }

        @Test
        void serviceShouldPassWhenSpfPassesForTheFromDomain() throws Exception {
            FakeMail mail = mail("alice@sender.example", "alice@sender.example", "192.0.2.7");

            filter("check", "dmarc").service(mail);

            assertThat(ScoreSheet.reasons(mail)).isEmpty();
            assertThat(ScoreSheet.string(mail, PortcullisAttributes.DMARC_RESULT)).contains("pass");
        }

        @Test
        void serviceShouldPassWhenAnAlignedDkimSignatureVerifiesEvenIfSpfFails() throws Exception {
            FakeMail mail = mail("bounce@aonly.example", "alice@sender.example", "198.51.100.9");
            signer.service(mail);

            filter("check", "dmarc").service(mail);

            assertThat(ScoreSheet.reasons(mail)).isEmpty();
            assertThat(ScoreSheet.string(mail, PortcullisAttributes.DMARC_RESULT)).contains("pass");
        }

        @Test
        void serviceShouldNotAlignADkimSignatureOfAnotherDomain() throws Exception {
            FakeMail mail = mail("bounce@aonly.example", "alice@sender.example", "198.51.100.9");
            foreignSigner.service(mail);

            filter("check", "dmarc").service(mail);

            assertThat(ScoreSheet.reasons(mail)).containsExactly(
                "DMARC policy reject of sender.example: From domain is aligned with neither SPF (none, aonly.example) nor DKIM (pass, signer.example): +100");
        }

        @Test
        void serviceShouldScoreQuarantinePolicy() throws Exception {
            FakeMail mail = mail("alice@soft.example", "alice@soft.example", "198.51.100.9");

            filter("check", "dmarc", "scoreQuarantine", "55").service(mail);

            assertThat(ScoreSheet.reasons(mail)).containsExactly(
                "DMARC policy quarantine of soft.example: From domain is aligned with neither SPF (softfail, soft.example) nor DKIM (none): +55");
            assertThat(ScoreSheet.rules(mail)).containsExactly("spam:dmarcquarantine");
        }

        @Test
        void serviceShouldAddNothingForAMonitoringPolicyWithTheDefaultScore() throws Exception {
            FakeMail mail = mail("alice@monitor.example", "alice@monitor.example", "198.51.100.9");

            filter("check", "dmarc").service(mail);

            assertThat(ScoreSheet.reasons(mail)).isEmpty();
            assertThat(ScoreSheet.string(mail, PortcullisAttributes.DMARC_RESULT)).contains("fail");
        }

        @Test
        void serviceShouldAddNothingWhenTheDomainPublishesNoPolicy() throws Exception {
            FakeMail mail = mail("alice@aonly.example", "alice@aonly.example", "198.51.100.9");

            filter("check", "dmarc").service(mail);

            assertThat(ScoreSheet.reasons(mail)).isEmpty();
            assertThat(ScoreSheet.string(mail, PortcullisAttributes.DMARC_RESULT)).contains("none");
        }

        @Test
        void serviceShouldApplyThePolicyWhenOnlyTheEnvelopeSendersUnrelatedDomainFailsTemporarily() throws Exception {
            FakeMail mail = mail("bounce@temp.example", "ceo@sender.example", "198.51.100.9");

            filter("check", "dmarc").service(mail);

            assertThat(ScoreSheet.reasons(mail)).containsExactly(
                "DMARC policy reject of sender.example: From domain is aligned with neither SPF (temperror, temp.example) nor DKIM (none): +100");
            assertThat(ScoreSheet.string(mail, PortcullisAttributes.DMARC_RESULT)).contains("fail");
        }

        @Test
        void serviceShouldApplyThePolicyWhenOnlyAnUnrelatedDkimKeyCannotBeFetched() throws Exception {
            FakeMail mail = mail("bounce@aonly.example", "ceo@sender.example", "198.51.100.9");
            dkimSigner("broken.example", pemOf(signer)).service(mail);

            filter("check", "dkim").service(mail);
            filter("check", "dmarc").service(mail);

            assertThat(ScoreSheet.reasons(mail)).containsExactly(
                "DKIM could not be checked: key sel._domainkey.broken.example could not be fetched: SERVFAIL: +0",
                "DMARC policy reject of sender.example: From domain is aligned with neither SPF (none, aonly.example) nor DKIM (temperror, broken.example): +100");
        }

        @Test
        void serviceShouldSayCouldNotBeEvaluatedWhenTheAlignedSpfDomainFailsTemporarily() throws Exception {
            FakeMail mail = mail("alice@tempspf.example", "alice@tempspf.example", "198.51.100.9");

            filter("check", "dmarc").service(mail);

            assertThat(ScoreSheet.reasons(mail)).containsExactly(
                "DMARC of tempspf.example could not be evaluated: SPF temperror (tempspf.example), DKIM none: +0");
            assertThat(ScoreSheet.rules(mail)).containsExactly("check:tempfail");
            assertThat(ScoreSheet.string(mail, PortcullisAttributes.DMARC_RESULT)).contains("temperror");
        }

        @Test
        void serviceShouldSayCouldNotBeEvaluatedWhenTheAlignedDkimKeyCannotBeFetched() throws Exception {
            FakeMail mail = mail("bounce@aonly.example", "alice@broken.example", "198.51.100.9");
            dkimSigner("broken.example", pemOf(signer)).service(mail);

            filter("check", "dmarc").service(mail);

            assertThat(ScoreSheet.reasons(mail)).containsExactly(
                "DMARC of broken.example could not be evaluated: SPF none, DKIM temperror (broken.example): +0");
            assertThat(ScoreSheet.rules(mail)).containsExactly("check:tempfail");
        }

        @Test
        void serviceShouldPassWhenAnyAlignedSignatureVerifiesAmongOthers() throws Exception {
            FakeMail mail = mail("bounce@aonly.example", "alice@sender.example", "198.51.100.9");
            foreignSigner.service(mail);
            dkimSigner("broken.example", pemOf(signer)).service(mail);
            signer.service(mail);

            filter("check", "dmarc").service(mail);

            assertThat(ScoreSheet.reasons(mail)).isEmpty();
            assertThat(ScoreSheet.string(mail, PortcullisAttributes.DMARC_RESULT)).contains("pass");
        }

        @Test
        void serviceShouldScoreAFromHeaderNamingAddressesOfSeveralDomainsAsSuspect() throws Exception {
            FakeMail mail = mail("alice@sender.example", "alice@sender.example", "192.0.2.7");
            mail.getMessage().setHeader("From", "a@evil.example, boss@sender.example");

            filter("check", "dmarc").service(mail);

            assertThat(ScoreSheet.score(mail)).isEqualTo(60);
            assertThat(ScoreSheet.reasons(mail)).containsExactly(
                "From header names addresses of several domains (evil.example, sender.example): no single domain whose DMARC policy applies: +60");
            assertThat(ScoreSheet.rules(mail)).containsExactly("spam:ambiguousfrom");
        }

        @Test
        void serviceShouldScoreSeveralFromHeadersWithTheConfiguredScore() throws Exception {
            FakeMail mail = mail("alice@sender.example", "alice@sender.example", "192.0.2.7");
            mail.getMessage().addHeader("From", "boss@sender.example");

            filter("check", "dmarc", "scoreAmbiguousFrom", "45").service(mail);

            assertThat(ScoreSheet.reasons(mail)).containsExactly("message has 2 From headers: no single domain whose DMARC policy applies: +45");
        }

        @Test
        void serviceShouldScoreAFromHeaderWithoutReadableAddressAsSuspect() throws Exception {
            FakeMail mail = mail("alice@sender.example", "alice@sender.example", "192.0.2.7");
            mail.getMessage().setHeader("From", "<<<");

            filter("check", "dmarc").service(mail);

            assertThat(ScoreSheet.reasons(mail)).containsExactly("From header holds no readable address: no single domain whose DMARC policy applies: +60");
        }

        @Test
        void serviceShouldEvaluateAFromHeaderWithSeveralAddressesOfOneDomain() throws Exception {
            FakeMail mail = mail("alice@sender.example", "alice@sender.example", "192.0.2.7");
            mail.getMessage().setHeader("From", "alice@sender.example, bob@sender.example");

            filter("check", "dmarc").service(mail);

            assertThat(ScoreSheet.reasons(mail)).isEmpty();
            assertThat(ScoreSheet.string(mail, PortcullisAttributes.DMARC_RESULT)).contains("pass");
        }

        @Test
        void serviceShouldSayThePolicyCouldNotBeFetchedWhenDnsFails() throws Exception {
            FakeMail mail = mail("alice@temp.example", "alice@temp.example", "198.51.100.9");

            filter("check", "dmarc").service(mail);

            assertThat(ScoreSheet.reasons(mail)).containsExactly("DMARC policy of temp.example could not be fetched: SERVFAIL: +0");
            assertThat(ScoreSheet.rules(mail)).containsExactly("check:tempfail");
        }
    }
}
