package io.portcullis.stalled;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.MimeBodyPart;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeMultipart;

/** Sample files and messages built byte by byte: what the stalled-mail detection must recognise (and must not). */
public final class StalledSamples {
    private StalledSamples() {
    }

    /**
     * A ZIP whose entries are encrypted: general purpose flag bit 0 set; {@code aes} uses method 99 with the
     * WinZip AES extra field (0x9901), otherwise traditional ZipCrypto (12-byte encryption header before the data).
     */
    public static byte[] encryptedZip(String entryName, boolean aes) {
        byte[] name = entryName.getBytes(StandardCharsets.UTF_8);
        byte[] data = new byte[aes ? 16 + 2 + 40 + 10 : 12 + 40];
        new Random(42).nextBytes(data);
        byte[] extra = aes ? ByteBuffer.allocate(11).order(ByteOrder.LITTLE_ENDIAN)
            .putShort((short) 0x9901).putShort((short) 7).putShort((short) 2).put((byte) 'A').put((byte) 'E').put((byte) 3)
            .putShort((short) 8).array() : new byte[0];
        int method = aes ? 99 : 8;
        int flags = 1;
        long crc = aes ? 0 : 0x12345678L;
        ByteBuffer out = ByteBuffer.allocate(30 + name.length + extra.length + data.length + 46 + name.length + extra.length + 22)
            .order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(0x04034b50).putShort((short) 51).putShort((short) flags).putShort((short) method).putShort((short) 0)
            .putShort((short) 0).putInt((int) crc).putInt(data.length).putInt(40).putShort((short) name.length)
            .putShort((short) extra.length).put(name).put(extra).put(data);
        int central = out.position();
        out.putInt(0x02014b50).putShort((short) 51).putShort((short) 51).putShort((short) flags).putShort((short) method)
            .putShort((short) 0).putShort((short) 0).putInt((int) crc).putInt(data.length).putInt(40)
            .putShort((short) name.length).putShort((short) extra.length).putShort((short) 0).putShort((short) 0)
            .putShort((short) 0).putInt(0).putInt(0).put(name).put(extra);
        int centralSize = out.position() - central;
        out.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) 1).putShort((short) 1)
            .putInt(centralSize).putInt(central).putShort((short) 0);
        return out.array();
    }

    /** A plain ZIP (nothing encrypted). */
    public static byte[] zip(String... namesAndContents) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (int i = 0; i < namesAndContents.length; i += 2) {
                zip.putNextEntry(new ZipEntry(namesAndContents[i]));
                zip.write(namesAndContents[i + 1].getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    /** A macro-enabled Word document (.docm): OOXML with word/vbaProject.bin. */
    public static byte[] docm() throws IOException {
        return zip("[Content_Types].xml", "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
                + "<Default Extension=\"bin\" ContentType=\"application/vnd.ms-office.vbaProject\"/></Types>",
            "word/document.xml", "<w:document/>",
            "word/vbaProject.bin", "\u00d0\u00cf VBA project");
    }

    /** A Word document without macros (.docx). */
    public static byte[] docx() throws IOException {
        return zip("[Content_Types].xml", "<Types/>", "word/document.xml", "<w:document/>");
    }

    /** An OLE2 compound file (legacy .xls) whose directory names a _VBA_PROJECT stream. */
    public static byte[] ole2WithMacros() {
        ByteBuffer out = ByteBuffer.allocate(1536).order(ByteOrder.LITTLE_ENDIAN);
        out.put(new byte[] {(byte) 0xD0, (byte) 0xCF, 0x11, (byte) 0xE0, (byte) 0xA1, (byte) 0xB1, 0x1A, (byte) 0xE1});
        out.position(512);
        out.put("Workbook".getBytes(StandardCharsets.UTF_16LE));
        out.position(640);
        out.put("_VBA_PROJECT_CUR".getBytes(StandardCharsets.UTF_16LE));
        out.position(768);
        out.put("_VBA_PROJECT".getBytes(StandardCharsets.UTF_16LE));
        return out.array();
    }

    private static MimeMessage message() throws MessagingException {
        MimeMessage message = new MimeMessage(Session.getDefaultInstance(new Properties()));
        message.setFrom("alice@partner.example");
        message.setRecipients(javax.mail.Message.RecipientType.TO, "bob@portcullis.test");
        message.setSubject("sample");
        return message;
    }

    public static MimeMessage withAttachment(String fileName, String contentType, byte[] content) throws Exception {
        MimeMessage message = message();
        MimeMultipart multipart = new MimeMultipart("mixed");
        MimeBodyPart text = new MimeBodyPart();
        text.setText("see attached", "UTF-8");
        multipart.addBodyPart(text);
        MimeBodyPart attachment = new MimeBodyPart();
        attachment.setContent(content, contentType);
        attachment.setFileName(fileName);
        attachment.setHeader("Content-Transfer-Encoding", "base64");
        multipart.addBodyPart(attachment);
        message.setContent(multipart);
        message.saveChanges();
        return reparse(message);
    }

    /** S/MIME enveloped data (RFC 8551 3.3): the whole body is an application/pkcs7-mime blob. */
    public static MimeMessage smime() throws Exception {
        MimeMessage message = message();
        byte[] blob = new byte[256];
        new Random(7).nextBytes(blob);
        blob[0] = 0x30; // DER SEQUENCE
        message.setContent(blob, "application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m");
        message.setHeader("Content-Disposition", "attachment; filename=smime.p7m");
        message.setHeader("Content-Transfer-Encoding", "base64");
        message.saveChanges();
        message.setHeader("Content-Type", "application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m");
        return reparse(message);
    }

    /** PGP/MIME (RFC 3156 4): multipart/encrypted with the version part and the encrypted octet stream. */
    public static MimeMessage pgpMime() throws Exception {
        String raw = "From: alice@partner.example\r\nTo: bob@portcullis.test\r\nSubject: sample\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=\"b1\"\r\n\r\n"
            + "--b1\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n\r\n"
            + "--b1\r\nContent-Type: application/octet-stream; name=encrypted.asc\r\n\r\n"
            + "-----BEGIN PGP MESSAGE-----\r\n\r\nhQEMA0x1c2VyS2V5AQf/Zm9vYmFy\r\n=abcd\r\n-----END PGP MESSAGE-----\r\n\r\n--b1--\r\n";
        return parse(raw);
    }

    public static MimeMessage inlinePgp() throws Exception {
        return parse("From: alice@partner.example\r\nTo: bob@portcullis.test\r\nSubject: sample\r\n"
            + "Content-Type: text/plain; charset=us-ascii\r\n\r\n"
            + "-----BEGIN PGP MESSAGE-----\r\n\r\nhQEMA0x1c2VyS2V5AQf/Zm9vYmFy\r\n=abcd\r\n-----END PGP MESSAGE-----\r\n");
    }

    /** A multipart whose declared boundary never appears, with a base64 part that cannot be decoded. */
    public static MimeMessage brokenMime() throws Exception {
        return parse("From: alice@partner.example\r\nTo: bob@portcullis.test\r\nSubject: broken\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: multipart/mixed; boundary=\"never-there\"\r\n\r\n"
            + "--wrong\r\nContent-Type: text/plain\r\n\r\nhello\r\n--wrong--\r\n");
    }

    public static MimeMessage plain() throws Exception {
        return parse("From: alice@partner.example\r\nTo: bob@portcullis.test\r\nSubject: hello\r\n"
            + "Content-Type: text/plain; charset=us-ascii\r\n\r\nNothing to hide.\r\n");
    }

    public static MimeMessage parse(String raw) throws MessagingException {
        return new MimeMessage(Session.getDefaultInstance(new Properties()), new java.io.ByteArrayInputStream(raw.getBytes(StandardCharsets.US_ASCII)));
    }

    private static MimeMessage reparse(MimeMessage message) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        message.writeTo(bytes);
        return new MimeMessage(Session.getDefaultInstance(new Properties()), new java.io.ByteArrayInputStream(bytes.toByteArray()));
    }

    static long crc(byte[] data) {
        CRC32 crc = new CRC32();
        crc.update(data);
        return crc.getValue();
    }
}
