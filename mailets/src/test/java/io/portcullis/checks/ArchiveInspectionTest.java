package io.portcullis.checks;

import static io.portcullis.checks.MessageChecksTest.filter;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Properties;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import javax.activation.DataHandler;
import javax.mail.Part;
import javax.mail.Session;
import javax.mail.internet.MimeBodyPart;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeMultipart;
import javax.mail.util.ByteArrayDataSource;

import org.apache.mailet.base.test.FakeMail;
import org.junit.jupiter.api.Test;

import io.portcullis.scoring.Finding;
import io.portcullis.scoring.ScoreSheet;

/**
 * check=attachments reads archives from their directory over the whole attachment, normalises names, and keeps to
 * its caps on entries, expansion and nesting.
 */
class ArchiveInspectionTest {
    /** A ZIP of the given entries (name, content) in order; {@code stored}: no compression (the filler stays 1.1 MB). */
    static byte[] zip(boolean stored, Object... namesAndContents) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes, StandardCharsets.UTF_8)) {
            for (int i = 0; i < namesAndContents.length; i += 2) {
                byte[] content = (byte[]) namesAndContents[i + 1];
                ZipEntry entry = new ZipEntry((String) namesAndContents[i]);
                if (stored) {
                    CRC32 crc = new CRC32();
                    crc.update(content);
                    entry.setMethod(ZipEntry.STORED);
                    entry.setSize(content.length);
                    entry.setCrc(crc.getValue());
                }
                zip.putNextEntry(entry);
                zip.write(content);
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    /** 1.1 MB that does not compress: what pushed the next entry past the first MiB the check used to read. */
    static byte[] filler() {
        byte[] filler = new byte[1_100_000];
        new Random(42).nextBytes(filler);
        return filler;
    }

    static final byte[] PROGRAM = "MZ\u0090\u0000 not really a program".getBytes(StandardCharsets.ISO_8859_1);

    /** A message with the bytes as a base64 attachment (binary safe). */
    static FakeMail withAttachment(String filename, byte[] content) throws Exception {
        MimeBodyPart text = new MimeBodyPart();
        text.setText("see attached", "UTF-8");
        MimeBodyPart attachment = new MimeBodyPart();
        attachment.setDataHandler(new DataHandler(new ByteArrayDataSource(content, "application/octet-stream")));
        attachment.setFileName(filename);
        attachment.setDisposition(Part.ATTACHMENT);
        attachment.setHeader("Content-Transfer-Encoding", "base64");
        MimeMultipart multipart = new MimeMultipart(text, attachment);
        MimeMessage message = new MimeMessage(Session.getDefaultInstance(new Properties()));
        message.setSubject("files");
        message.setContent(multipart);
        message.saveChanges();
        return FakeMail.builder().name("m").sender("alice@sender.example").recipient("bob@portcullis.test").mimeMessage(message).build();
    }

    private static FakeMail scored(String filename, byte[] content) throws Exception {
        FakeMail mail = withAttachment(filename, content);
        filter("check", "attachments").service(mail);
        return mail;
    }

    @Test
    void serviceShouldFindAProgramBehindAFillerEntryOfMoreThanOneMegabyte() throws Exception {
        byte[] archive = zip(true, "filler.bin", filler(), "evil.exe", PROGRAM);
        assertThat(archive.length).isGreaterThan(MessageContent.MAX_ATTACHMENT_BYTES);

        FakeMail mail = scored("holiday-photos.zip", archive);

        assertThat(ScoreSheet.reasons(mail)).containsExactly("attachment evil.exe in holiday-photos.zip is a dangerous file type (.exe): +60");
        assertThat(ScoreSheet.score(mail)).isEqualTo(60);
    }

    /** The message as the server has it: parsed from its raw bytes, the attachment in base64 lines of 76 characters. */
    static FakeMail parsedWithAttachment(String filename, byte[] content) throws Exception {
        String base64 = Base64.getMimeEncoder(76, "\r\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(content);
        String raw = "From: alice@sender.example\r\nTo: bob@portcullis.test\r\nSubject: files\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
            + "--b1\r\nContent-Type: application/zip; name=\"" + filename + "\"\r\nContent-Transfer-Encoding: base64\r\n"
            + "Content-Disposition: attachment; filename=\"" + filename + "\"\r\n\r\n" + base64 + "\r\n--b1--\r\n";
        MimeMessage message = new MimeMessage(Session.getDefaultInstance(new Properties()),
            new ByteArrayInputStream(raw.getBytes(StandardCharsets.US_ASCII)));
        return FakeMail.builder().name("m").sender("alice@sender.example").recipient("bob@portcullis.test").mimeMessage(message).build();
    }

    @Test
    void serviceShouldReadTheWholeArchiveOfAParsedBase64Part() throws Exception {
        byte[] archive = zip(true, "filler.bin", filler(), "evil.exe", PROGRAM);
        FakeMail mail = parsedWithAttachment("holiday-photos.zip", archive);

        MessageContent.Attachment attachment = MessageContent.of(mail).attachments().get(0);
        filter("check", "attachments").service(mail);

        assertThat(attachment.content()).hasSize(MessageContent.MAX_ATTACHMENT_BYTES);
        assertThat(attachment.archive()).isEqualTo(archive);
        assertThat(ScoreSheet.reasons(mail)).containsExactly("attachment evil.exe in holiday-photos.zip is a dangerous file type (.exe): +60");
    }

    @Test
    void serviceShouldFlagNamesEndingInDotsOrSpaces() throws Exception {
        for (String name : new String[] {"evil.exe.", "evil.exe ", "EVIL.EXE. . ", "evil.exe\u0000"}) {
            FakeMail mail = scored(name, "hello".getBytes(StandardCharsets.US_ASCII));

            assertThat(ScoreSheet.reasons(mail)).as("'%s'", name).hasSize(1);
            assertThat(ScoreSheet.reasons(mail).get(0)).as("'%s'", name).endsWith("is a dangerous file type (.exe): +60");
        }
    }

    @Test
    void serviceShouldFlagNamesEndingInDotsOrSpacesInsideAnArchive() throws Exception {
        FakeMail mail = scored("files.zip", zip(false, "a/evil.exe.", PROGRAM, "b/run.vbs ", "x".getBytes(StandardCharsets.US_ASCII)));

        assertThat(ScoreSheet.reasons(mail)).containsExactly(
            "attachment evil.exe. in files.zip is a dangerous file type (.exe): +60",
            "attachment run.vbs  in files.zip is a dangerous file type (.vbs): +60");
    }

    @Test
    void serviceShouldSeeThroughRightToLeftOverridesAndFullWidthLetters() throws Exception {
        FakeMail override = scored("invoice\u202Efdp.exe", "x".getBytes(StandardCharsets.US_ASCII));
        FakeMail fullWidth = scored("setup.\uFF45\uFF58\uFF45", "x".getBytes(StandardCharsets.US_ASCII));

        assertThat(ScoreSheet.reasons(override)).containsExactly(
            "attachment invoice?fdp.exe hides its type (.exe) behind a right-to-left override character: +80");
        assertThat(ScoreSheet.reasons(fullWidth)).containsExactly("attachment setup.\uFF45\uFF58\uFF45 is a dangerous file type (.exe): +60");
    }

    @Test
    void serviceShouldLookIntoAnArchiveInsideTheArchiveButNoDeeper() throws Exception {
        byte[] inner = zip(false, "evil.js", "x".getBytes(StandardCharsets.US_ASCII), "deeper.zip", zip(false, "deep.exe", PROGRAM));

        FakeMail mail = scored("outer.zip", zip(false, "inner.zip", inner));

        assertThat(ScoreSheet.reasons(mail)).containsExactly(
            "attachment evil.js in outer.zip is a dangerous file type (.js): +60",
            "archive outer.zip: archive inner.zip/deeper.zip nested deeper than 2 levels not opened: +0");
    }

    @Test
    void serviceShouldExamineAtMostTheEntryCapAndSaySo() throws Exception {
        Object[] entries = new Object[2 * (ArchiveNames.MAX_ENTRIES + 5)];
        for (int i = 0; i < ArchiveNames.MAX_ENTRIES + 5; i++) {
            entries[2 * i] = i == ArchiveNames.MAX_ENTRIES + 2 ? "late.exe" : "file" + i + ".txt";
            entries[2 * i + 1] = new byte[] {'x'};
        }

        FakeMail mail = scored("many.zip", zip(false, entries));

        assertThat(ScoreSheet.reasons(mail)).containsExactly("archive many.zip: more than 1000 entries: the rest not examined: +0");
        assertThat(ScoreSheet.rules(mail)).containsExactly(Finding.TEMPFAIL);
    }

    @Test
    void serviceShouldNotExpandAZipBombBeyondTheCap() throws Exception {
        byte[] zeros = new byte[40 << 20];
        byte[] bomb = zip(false, "zeros.bin", zeros, "then.exe", PROGRAM);
        byte[] nestedBomb = zip(false, "inner.zip", zip(true, "zeros.bin", zeros), "after.exe", PROGRAM);
        assertThat(bomb.length).isLessThan(1 << 20);
        assertThat(nestedBomb.length).isLessThan(1 << 20);

        FakeMail mail = scored("bomb.zip", bomb);
        FakeMail nested = scored("nested.zip", nestedBomb);

        assertThat(ScoreSheet.reasons(mail)).containsExactly("attachment then.exe in bomb.zip is a dangerous file type (.exe): +60");
        assertThat(ScoreSheet.reasons(nested)).containsExactly(
            "attachment after.exe in nested.zip is a dangerous file type (.exe): +60",
            "archive nested.zip: archive inner.zip expands beyond 16 MiB: not opened: +0");
    }

    @Test
    void serviceShouldSayATruncatedArchiveCouldNotBeRead() throws Exception {
        byte[] archive = zip(false, "report.pdf", "x".repeat(10_000).getBytes(StandardCharsets.US_ASCII), "evil.exe", PROGRAM);

        FakeMail mail = scored("cut.zip", Arrays.copyOf(archive, archive.length - 60));

        assertThat(ScoreSheet.reasons(mail)).hasSize(1);
        assertThat(ScoreSheet.reasons(mail).get(0)).startsWith("archive cut.zip could not be read: ").endsWith(": +0");
        assertThat(ScoreSheet.rules(mail)).containsExactly(Finding.TEMPFAIL);
    }

    @Test
    void serviceShouldReadAnArchiveWhoseNamesAreNotUtf8() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes, StandardCharsets.ISO_8859_1)) {
            zip.putNextEntry(new ZipEntry("r\u00e9sum\u00e9.exe"));
            zip.write(PROGRAM);
            zip.closeEntry();
        }

        FakeMail mail = scored("cv.zip", bytes.toByteArray());

        assertThat(ScoreSheet.reasons(mail)).hasSize(1);
        assertThat(ScoreSheet.reasons(mail).get(0)).endsWith(".exe in cv.zip is a dangerous file type (.exe): +60");
    }

    @Test
    void normaliseShouldDropWhatHidesAnExtension() {
        assertThat(ArchiveNames.normalise("Evil.EXE. .")).isEqualTo("evil.exe");
        assertThat(ArchiveNames.normalise("evil\u200B.e\u00ADxe")).isEqualTo("evil.exe");
        assertThat(ArchiveNames.normalise("a\u202Efdp.exe")).isEqualTo("afdp.exe");
        assertThat(ArchiveNames.normalise("\uFF33\uFF25\uFF34\uFF35\uFF30.\uFF25\uFF38\uFF25\u3000")).isEqualTo("setup.exe");
        assertThat(ArchiveNames.normalise("report.pdf")).isEqualTo("report.pdf");
    }
}
