package io.portcullis.checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import javax.mail.MessagingException;

import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.base.test.FakeMail;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import io.portcullis.dns.DnsConfiguration;
import io.portcullis.dns.DnsLookupService;
import io.portcullis.mail.PortcullisAttributes;
import io.portcullis.scoring.ScoreFilter;
import io.portcullis.scoring.ScoreFilters;
import io.portcullis.scoring.ScoreSheet;

/** Checks that look at the message only: spoofing, attachments, phishing, size. */
class MessageChecksTest {
    static final DnsLookupService DNS = new DnsLookupService(DnsConfiguration.systemDefault());
    /** Assembled at run time, never stored whole in a source or class file. */
    static final byte[] EICAR = ("X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + "EICAR-STANDARD-ANTIVIRUS-TEST" + "-FILE!$H+H*").getBytes(StandardCharsets.US_ASCII);

    static ScoreFilter filter(String... nameValues) throws MessagingException {
        return ScoreFilters.create(DNS, nameValues);
    }

    static FakeMail withAttachment(String filename, byte[] content) throws Exception {
        return FakeMail.builder().name("m").sender("alice@sender.example").recipient("bob@portcullis.test")
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("files")
                .setContent(MimeMessageBuilder.multipartBuilder()
                    .addBody(MimeMessageBuilder.bodyPartBuilder().data("see attached"))
                    .addBody(MimeMessageBuilder.bodyPartBuilder().data(content).type("application/octet-stream").filename(filename)
                        .disposition("attachment"))))
            .build();
    }

    static byte[] zip(String name, byte[] content) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry(name));
            zip.write(content);
            zip.closeEntry();
        }
        return bytes.toByteArray();
    }

    @Nested
    class Spoofing {
        static FakeMail from(String from) throws MessagingException {
            return FakeMail.builder().name("m").sender("bounce@remote.example").recipient("bob@portcullis.test").remoteAddr("198.51.100.9")
                .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().addFrom(from).setSubject("pay this invoice").setText("now")).build();
        }

        @Test
        void serviceShouldScoreWhenFromClaimsOurDomainFromOutside() throws Exception {
            FakeMail mail = from("CEO <ceo@portcullis.test>");

            filter("check", "spoofing", "domains", "portcullis.test").service(mail);

            assertThat(ScoreSheet.score(mail)).isEqualTo(60);
            assertThat(ScoreSheet.reasons(mail)).containsExactly(
                "From address ceo@portcullis.test claims our domain portcullis.test but the mail is neither authenticated nor from a relay network: +60");
            assertThat(ScoreSheet.rules(mail)).containsExactly("spam:spoofedsender");
        }

        @Test
        void serviceShouldUseJamesDomainList() throws Exception {
            FakeMail mail = from("root@localhost");

            filter("check", "spoofing").service(mail);

            assertThat(ScoreSheet.rules(mail)).containsExactly("spam:spoofedsender");
        }

        @Test
        void serviceShouldAcceptOurDomainFromAnAuthenticatedUser() throws Exception {
            FakeMail mail = from("ceo@portcullis.test");
            mail.setAttribute(new Attribute(AttributeName.of("org.apache.james.SMTPAuthUser"), AttributeValue.of("ceo@portcullis.test")));

            filter("check", "spoofing", "domains", "portcullis.test").service(mail);

            assertThat(ScoreSheet.reasons(mail)).isEmpty();
        }

        @Test
        void serviceShouldAcceptOurDomainFromARelayNetwork() throws Exception {
            FakeMail mail = from("ceo@portcullis.test");
            mail.setAttribute(new Attribute(AttributeName.of("org.apache.james.SMTPIsAuthNetwork"), AttributeValue.of(true)));

            filter("check", "spoofing", "domains", "portcullis.test").service(mail);

            assertThat(ScoreSheet.reasons(mail)).isEmpty();
        }

        @Test
        void serviceShouldAcceptAnotherDomain() throws Exception {
            FakeMail mail = from("partner@remote.example");

            filter("check", "spoofing", "domains", "portcullis.test").service(mail);

            assertThat(ScoreSheet.reasons(mail)).isEmpty();
        }
    }

    @Nested
    class Attachments {
        @Test
        void serviceShouldDetectTheEicarTestFileAsAThreat() throws Exception {
            FakeMail mail = withAttachment("eicar.com", EICAR);

            filter("check", "attachments").service(mail);

            assertThat(ScoreSheet.score(mail)).isEqualTo(1000);
            assertThat(ScoreSheet.reasons(mail)).containsExactly("attachment eicar.com is the EICAR anti-virus test file: +1000");
            assertThat(ScoreSheet.rules(mail)).containsExactly("threat:eicar");
            assertThat(ScoreSheet.string(mail, PortcullisAttributes.THREAT)).contains("EICAR-Test-File");
        }

        @Test
        void serviceShouldDetectTheEicarTestFileInsideAZip() throws Exception {
            FakeMail mail = withAttachment("eicar_com.zip", zip("eicar.com", EICAR));

            filter("check", "attachments").service(mail);

            assertThat(ScoreSheet.reasons(mail)).containsExactly("attachment eicar.com in eicar_com.zip is the EICAR anti-virus test file: +1000");
            assertThat(ScoreSheet.string(mail, PortcullisAttributes.THREAT)).contains("EICAR-Test-File");
        }

        @Test
        void serviceShouldScoreADangerousTypeByName() throws Exception {
            FakeMail mail = withAttachment("setup.exe", "not really".getBytes(StandardCharsets.US_ASCII));

            filter("check", "attachments").service(mail);

            assertThat(ScoreSheet.reasons(mail)).containsExactly("attachment setup.exe is a dangerous file type (.exe): +60");
            assertThat(ScoreSheet.rules(mail)).containsExactly("spam:dangerousattachment");
            assertThat(mail.getAttribute(PortcullisAttributes.THREAT)).isEmpty();
        }

        @Test
        void serviceShouldScoreADoubleExtension() throws Exception {
            FakeMail mail = withAttachment("invoice.pdf.exe", "x".getBytes(StandardCharsets.US_ASCII));

            filter("check", "attachments").service(mail);

            assertThat(ScoreSheet.reasons(mail)).containsExactly("attachment invoice.pdf.exe hides its type behind a double extension (.pdf.exe): +80");
            assertThat(ScoreSheet.rules(mail)).containsExactly("spam:doubleextension");
        }

        @Test
        void serviceShouldDetectAnExecutableByItsContent() throws Exception {
            byte[] executable = new byte[] {'M', 'Z', (byte) 0x90, 0, 3, 0, 0, 0};
            FakeMail mail = withAttachment("report.pdf", executable);

            filter("check", "attachments", "score", "70").service(mail);

            assertThat(ScoreSheet.reasons(mail)).containsExactly("attachment report.pdf is a Windows executable by its content: +70");
        }

        @Test
        void serviceShouldDetectADangerousFileInsideAZip() throws Exception {
            FakeMail mail = withAttachment("files.zip", zip("docs/run.vbs", "MsgBox 1".getBytes(StandardCharsets.US_ASCII)));

            filter("check", "attachments").service(mail);

            assertThat(ScoreSheet.reasons(mail)).containsExactly("attachment run.vbs in files.zip is a dangerous file type (.vbs): +60");
        }

        @Test
        void serviceShouldAcceptAPdf() throws Exception {
            FakeMail mail = withAttachment("report.pdf", "%PDF-1.4 ...".getBytes(StandardCharsets.US_ASCII));

            filter("check", "attachments").service(mail);

            assertThat(ScoreSheet.reasons(mail)).isEmpty();
        }

        @Test
        void serviceShouldUseTheConfiguredExtensions() throws Exception {
            FakeMail mail = withAttachment("setup.exe", "x".getBytes(StandardCharsets.US_ASCII));

            filter("check", "attachments", "extensions", "docm, .xlsm").service(mail);

            assertThat(ScoreSheet.reasons(mail)).isEmpty();
        }
    }

    @Nested
    class Phishing {
        static FakeMail html(String from, String html) throws Exception {
            return FakeMail.builder().name("m").sender("bounce@remote.example").recipient("bob@portcullis.test")
                .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().addFrom(from).setSubject("your account")
                    .setContent(MimeMessageBuilder.multipartBuilder()
                        .addBody(MimeMessageBuilder.bodyPartBuilder().data(html).type("text/html"))))
                .build();
        }

        @Test
        void serviceShouldScoreALinkShowingAnotherDomain() throws Exception {
            FakeMail mail = html("service@bank.example", "<p>Log in at <a href=\"http://evil.example/login\">https://www.bank.example/login</a></p>");

            filter("check", "phishing").service(mail);

            assertThat(ScoreSheet.score(mail)).isEqualTo(50);
            assertThat(ScoreSheet.reasons(mail)).containsExactly("link text shows www.bank.example but the link goes to evil.example: +50");
            assertThat(ScoreSheet.rules(mail)).containsExactly("spam:suspectedphishingemail");
        }

        @Test
        void serviceShouldAcceptALinkToTheDomainItShows() throws Exception {
            FakeMail mail = html("service@bank.example", "<a href='https://login.bank.example/x'>www.bank.example</a> <a href=\"https://x.example\">click here</a>");

            filter("check", "phishing").service(mail);

            assertThat(ScoreSheet.reasons(mail)).isEmpty();
        }

        @Test
        void serviceShouldScoreADisplayNameHoldingAnotherAddress() throws Exception {
            FakeMail mail = html("\"support@bank.example\" <evil@bad.example>", "<p>hello</p>");

            filter("check", "phishing", "scoreDisplayName", "45").service(mail);

            assertThat(ScoreSheet.reasons(mail)).containsExactly("display name \"support@bank.example\" hides the sender address evil@bad.example: +45");
        }

        @Test
        void serviceShouldAcceptADisplayNameHoldingTheSameAddress() throws Exception {
            FakeMail mail = html("\"support@bank.example\" <support@bank.example>", "<p>hello</p>");

            filter("check", "phishing").service(mail);

            assertThat(ScoreSheet.reasons(mail)).isEmpty();
        }
    }

    @Nested
    class Size {
        static FakeMail ofSize(long size) throws MessagingException {
            return FakeMail.builder().name("m").recipient("bob@portcullis.test").size(size)
                .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("big").setText("x")).build();
        }

        @Test
        void serviceShouldScoreAMessageAboveTheLimit() throws Exception {
            FakeMail mail = ofSize(12L * 1024 * 1024);

            filter("check", "size", "maxSize", "10M").service(mail);

            assertThat(ScoreSheet.reasons(mail)).containsExactly("message size 12.0 MB exceeds 10.0 MB: +20");
            assertThat(ScoreSheet.rules(mail)).containsExactly("smtp:oversized");
        }

        @Test
        void serviceShouldAcceptAMessageBelowTheLimit() throws Exception {
            FakeMail mail = ofSize(2048);

            filter("check", "size", "maxSize", "10M").service(mail);

            assertThat(ScoreSheet.reasons(mail)).isEmpty();
        }

        @Test
        void initShouldThrowWhenMaxSizeIsNotASize() {
            assertThatThrownBy(() -> filter("check", "size", "maxSize", "big"))
                .isInstanceOf(MessagingException.class)
                .hasMessageStartingWith("ScoreFilter: parameter 'maxSize' has invalid value 'big': expected a size such as 500K, 10M or 1G");
        }
    }
}
