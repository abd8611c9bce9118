package io.portcullis.stalled;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.MimeMessage;

import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.Test;

import io.portcullis.mail.PortcullisAttributes;

class DetectUnscannableTest {
    private static DetectUnscannable mailet(Map<String, String> parameters) throws MessagingException {
        DetectUnscannable mailet = new DetectUnscannable();
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName("DetectUnscannable");
        parameters.forEach(config::setProperty);
        mailet.init(config.build());
        return mailet;
    }

    private static FakeMail run(MimeMessage message, String direction, Map<String, String> parameters, String... recipients) throws Exception {
        FakeMail mail = FakeMail.builder().name("m").sender("alice@partner.example")
            .recipients(recipients.length == 0 ? new String[] {"bob@portcullis.test"} : recipients)
            .mimeMessage(message)
            .attribute(new Attribute(PortcullisAttributes.DIRECTION, AttributeValue.of(direction)))
            .build();
        mailet(parameters).service(mail);
        return mail;
    }

    private static FakeMail run(MimeMessage message) throws Exception {
        return run(message, "inbound", Map.of());
    }

    private static Optional<String> reason(FakeMail mail) {
        return mail.getAttribute(PortcullisAttributes.UNSCANNABLE_REASON).map(a -> (String) a.getValue().value());
    }

    private static String security(FakeMail mail) {
        return (String) mail.getAttribute(PortcullisAttributes.MESSAGE_SECURITY).orElseThrow().getValue().value();
    }

    @Test
    void serviceShouldFlagZipCryptoArchiveAsPasswordProtected() throws Exception {
        byte[] zip = StalledSamples.encryptedZip("invoice.pdf", false);
        // the JDK itself refuses it: the encryption flag really is set
        try (ZipInputStream in = new ZipInputStream(new java.io.ByteArrayInputStream(zip))) {
            assertThatThrownBy(in::getNextEntry).hasMessageContaining("encrypted");
        }

        FakeMail mail = run(StalledSamples.withAttachment("invoice.zip", "application/zip", zip));

        assertThat(reason(mail)).hasValueSatisfying(r -> assertThat(r).contains("password-protected archive invoice.zip").contains("ZipCrypto"));
        assertThat(security(mail)).isEqualTo("password");
    }

    @Test
    void serviceShouldFlagAesArchiveAsPasswordProtected() throws Exception {
        FakeMail mail = run(StalledSamples.withAttachment("secret.zip", "application/octet-stream", StalledSamples.encryptedZip("a.txt", true)));

        assertThat(reason(mail)).hasValueSatisfying(r -> assertThat(r).contains("password-protected archive secret.zip (AES"));
        assertThat(security(mail)).isEqualTo("password");
    }

    @Test
    void serviceShouldFlagMacroEnabledWordDocument() throws Exception {
        FakeMail mail = run(StalledSamples.withAttachment("report.docm",
            "application/vnd.ms-word.document.macroEnabled.12", StalledSamples.docm()));

        assertThat(reason(mail)).hasValueSatisfying(r -> assertThat(r).contains("Office document with macros (vbaProject.bin) report.docm"));
        assertThat(security(mail)).isEqualTo("none");
    }

    @Test
    void serviceShouldFlagVbaProjectEvenWhenNamedDocx() throws Exception {
        FakeMail mail = run(StalledSamples.withAttachment("innocent.docx", "application/octet-stream", StalledSamples.docm()));

        assertThat(reason(mail)).hasValueSatisfying(r -> assertThat(r).contains("vbaProject.bin"));
    }

    @Test
    void serviceShouldFlagMacroEnabledExtensionEvenWhenNotAZip() throws Exception {
        FakeMail mail = run(StalledSamples.withAttachment("budget.xlsm", "application/octet-stream", "not a zip".getBytes()));

        assertThat(reason(mail)).hasValueSatisfying(r -> assertThat(r).contains("macro-enabled Office document budget.xlsm"));
    }

    @Test
    void serviceShouldFlagLegacyOfficeDocumentWithMacros() throws Exception {
        FakeMail mail = run(StalledSamples.withAttachment("old.xls", "application/vnd.ms-excel", StalledSamples.ole2WithMacros()));

        assertThat(reason(mail)).hasValueSatisfying(r -> assertThat(r).contains("_VBA_PROJECT"));
    }

    @Test
    void serviceShouldFlagSmimeEncryptedMail() throws Exception {
        FakeMail mail = run(StalledSamples.smime());

        assertThat(reason(mail)).hasValueSatisfying(r -> assertThat(r).contains("S/MIME encrypted"));
        assertThat(security(mail)).isEqualTo("smime");
    }

    @Test
    void serviceShouldFlagPgpMimeEncryptedMail() throws Exception {
        FakeMail mail = run(StalledSamples.pgpMime());

        assertThat(reason(mail)).hasValueSatisfying(r -> assertThat(r).contains("PGP/MIME"));
        assertThat(security(mail)).isEqualTo("pgp");
    }

    @Test
    void serviceShouldFlagInlinePgp() throws Exception {
        FakeMail mail = run(StalledSamples.inlinePgp());

        assertThat(reason(mail)).hasValueSatisfying(r -> assertThat(r).contains("inline PGP"));
        assertThat(security(mail)).isEqualTo("pgp");
    }

    @Test
    void serviceShouldFlagBrokenMimeWithTheParseError() throws Exception {
        FakeMail mail = run(StalledSamples.brokenMime());

        assertThat(reason(mail)).hasValueSatisfying(r -> assertThat(r).startsWith("MIME parse error: "));
        assertThat(security(mail)).isEqualTo("none");
    }

    @Test
    void serviceShouldFlagATruncatedZipArchive() throws Exception {
        byte[] zip = StalledSamples.zip("report.pdf", "x".repeat(20_000), "evil.exe", "MZ");
        byte[] truncated = Arrays.copyOf(zip, zip.length / 2);

        FakeMail mail = run(StalledSamples.withAttachment("cut.zip", "application/zip", truncated));

        assertThat(reason(mail)).contains("ZIP archive cut.zip is truncated (no central directory)");
        assertThat(security(mail)).isEqualTo("none");
    }

    @Test
    void serviceShouldReadABase64ZipWholeAndNotTakeItForTruncated() throws Exception {
        byte[] random = new byte[300_000];
        new Random(3).nextBytes(random);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.setLevel(0);
            zip.putNextEntry(new ZipEntry("photo.jpg"));
            zip.write(random);
            zip.closeEntry();
        }
        String base64 = Base64.getMimeEncoder(76, "\r\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(bytes.toByteArray());
        String raw = "From: alice@partner.example\r\nSubject: photo\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
            + "--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b\r\nContent-Type: application/zip; name=\"photo.zip\"\r\n"
            + "Content-Transfer-Encoding: base64\r\n\r\n" + base64 + "\r\n--b--\r\n";

        FakeMail mail = run(new MimeMessage(Session.getDefaultInstance(new Properties()),
            new ByteArrayInputStream(raw.getBytes(StandardCharsets.US_ASCII))));

        assertThat(reason(mail)).isEmpty();
    }

    @Test
    void serviceShouldFlagAZipArchiveWhoseDirectoryLacksEntries() throws Exception {
        byte[] zip = StalledSamples.zip("a.txt", "hello", "b.txt", "world");
        // the end record announces 3 entries where the directory holds 2
        int end = zip.length - 22;
        zip[end + 8] = 3;
        zip[end + 10] = 3;

        FakeMail mail = run(StalledSamples.withAttachment("odd.zip", "application/zip", zip));

        assertThat(reason(mail)).contains("ZIP archive odd.zip is damaged (its central directory lists 2 of 3 entries)");
    }

    @Test
    void serviceShouldLeaveScannableMailAlone() throws Exception {
        for (MimeMessage message : List.of(StalledSamples.plain(),
                StalledSamples.withAttachment("photos.zip", "application/zip", StalledSamples.zip("a.txt", "hello", "b.txt", "world")),
                StalledSamples.withAttachment("letter.docx", "application/octet-stream", StalledSamples.docx()))) {
            FakeMail mail = run(message);

            assertThat(reason(mail)).isEmpty();
            assertThat(security(mail)).isEqualTo("none");
        }
    }

    @Test
    void serviceShouldBypassEncryptedInboundMailToAllowedRecipientsOnly() throws Exception {
        FakeMail mail = run(StalledSamples.pgpMime(), "inbound", Map.of("inboundEncrypted", "allow", "inboundAllow", "@portcullis.test, carol@other.test"),
            "bob@portcullis.test", "dave@other.test");

        assertThat(reason(mail)).isPresent();
        assertThat(mail.getAttribute(PortcullisAttributes.UNSCANNABLE_BYPASS).orElseThrow().getValue().value())
            .isEqualTo(List.of(AttributeValue.of("bob@portcullis.test")));
    }

    @Test
    void serviceShouldNotApplyInboundAllowListToOutboundMail() throws Exception {
        FakeMail mail = run(StalledSamples.smime(), "outbound", Map.of("inboundEncrypted", "allow", "inboundAllow", "portcullis.test"));

        assertThat(mail.getAttribute(PortcullisAttributes.UNSCANNABLE_BYPASS)).isEmpty();
    }

    @Test
    void serviceShouldBypassOutboundEncryptedMailToAllowedDomain() throws Exception {
        FakeMail mail = run(StalledSamples.smime(), "outbound", Map.of("outboundEncrypted", "allow", "outboundAllow", "partner.example"),
            "x@partner.example");

        assertThat(mail.getAttribute(PortcullisAttributes.UNSCANNABLE_BYPASS)).isPresent();
    }

    @Test
    void serviceShouldNotBypassPasswordArchivesEvenForAllowedRecipients() throws Exception {
        FakeMail mail = run(StalledSamples.withAttachment("x.zip", "application/zip", StalledSamples.encryptedZip("x", false)), "inbound",
            Map.of("inboundEncrypted", "allow", "inboundAllow", "portcullis.test"));

        assertThat(mail.getAttribute(PortcullisAttributes.UNSCANNABLE_BYPASS)).isEmpty();
    }

    @Test
    void initShouldFailWhenAllowWithoutList() {
        assertThatThrownBy(() -> mailet(Map.of("inboundEncrypted", "allow")))
            .hasMessageContaining("parameter 'inboundAllow'");
    }

    @Test
    void initShouldFailWhenTreatmentUnknown() {
        assertThatThrownBy(() -> mailet(Map.of("outboundEncrypted", "ignore")))
            .hasMessageContaining("parameter 'outboundEncrypted' has invalid value 'ignore'");
    }

    @Test
    void initShouldFailWhenListItemIsNotAnAddressOrDomain() {
        assertThatThrownBy(() -> mailet(Map.of("inboundEncrypted", "allow", "inboundAllow", "bob@@x")))
            .hasMessageContaining("'bob@@x'");
    }

    @Test
    void initShouldFailWhenUnknownParameter() {
        assertThatThrownBy(() -> mailet(Map.of("inboundAllowed", "x.test")))
            .hasMessageContaining("inboundAllowed");
    }
}
