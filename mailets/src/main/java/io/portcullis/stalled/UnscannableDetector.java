package io.portcullis.stalled;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

import javax.mail.BodyPart;
import javax.mail.MessagingException;
import javax.mail.Multipart;
import javax.mail.Part;
import javax.mail.internet.ContentType;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.ParseException;

/**
 * Finds what the filters cannot open ("stalled mail"): encrypted mail (PGP/MIME
 * {@code multipart/encrypted}, inline {@code -----BEGIN PGP MESSAGE-----}, S/MIME {@code application/pkcs7-mime}),
 * password-protected ZIP archives (traditional ZipCrypto and AES: general purpose flag bit 0), Office documents
 * with macros (OOXML {@code vbaProject.bin}, macro-enabled extensions such as .docm / .xlsm, OLE2 documents holding
 * a {@code _VBA_PROJECT} stream), password-protected Office documents (OLE2 {@code EncryptedPackage}), truncated or
 * damaged ZIP archives (no central directory, or one that lacks entries: the attachment check reads the directory, so
 * such an archive cannot be scanned), and parts that fail to parse. Never throws: a failure to parse is itself a finding.
 */
public final class UnscannableDetector {
    /** Attachments larger than this are inspected on their first bytes only (ZIP central directory aside). */
    static final int MAX_INSPECTED = 64 * 1024 * 1024;
    private static final int MAX_TEXT = 1024 * 1024;
    private static final int MAX_DEPTH = 20;
    private static final List<String> MACRO_EXTENSIONS = List.of(".docm", ".dotm", ".xlsm", ".xltm", ".xlam", ".xlsb", ".pptm",
        ".potm", ".ppsm", ".ppam", ".sldm");
    private static final byte[] OLE2 = {(byte) 0xD0, (byte) 0xCF, 0x11, (byte) 0xE0, (byte) 0xA1, (byte) 0xB1, 0x1A, (byte) 0xE1};

    public List<Finding> inspect(MimeMessage message) {
        List<Finding> findings = new ArrayList<>();
        try {
            walk(message, findings, 0);
        } catch (MessagingException | IOException | RuntimeException e) {
            findings.add(new Finding(Finding.Kind.PARSE_ERROR, "MIME parse error: " + describe(e)));
        }
        return findings;
    }

    private static String describe(Exception e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    private void walk(Part part, List<Finding> findings, int depth) throws MessagingException, IOException {
        if (depth > MAX_DEPTH) {
            findings.add(new Finding(Finding.Kind.PARSE_ERROR, "MIME parse error: nesting deeper than " + MAX_DEPTH));
            return;
        }
        ContentType type = contentType(part);
        String base = type.getBaseType().toLowerCase(Locale.ROOT);
        String fileName = fileName(part).orElse("");
        if (base.equals("multipart/encrypted")) {
            String protocol = Optional.ofNullable(type.getParameter("protocol")).orElse("").toLowerCase(Locale.ROOT);
            findings.add(protocol.contains("pkcs7")
                ? new Finding(Finding.Kind.SMIME, "S/MIME encrypted message (multipart/encrypted)")
                : new Finding(Finding.Kind.PGP, "PGP/MIME encrypted message (multipart/encrypted)"));
            return;
        }
        if (base.equals("application/pkcs7-mime") || base.equals("application/x-pkcs7-mime")
                || fileName.toLowerCase(Locale.ROOT).endsWith(".p7m")) {
            String smimeType = Optional.ofNullable(type.getParameter("smime-type")).orElse("enveloped-data").toLowerCase(Locale.ROOT);
            findings.add(new Finding(Finding.Kind.SMIME, smimeType.equals("signed-data")
                ? "S/MIME opaque-signed content (application/pkcs7-mime; smime-type=signed-data)"
                : "S/MIME encrypted message (application/pkcs7-mime; smime-type=" + smimeType + ")"));
            return;
        }
        if (base.equals("application/pgp-encrypted") && depth > 0) {
            findings.add(new Finding(Finding.Kind.PGP, "PGP encrypted part (application/pgp-encrypted)"));
            return;
        }
        if (base.startsWith("multipart/")) {
            Object content = part.getContent();
            if (!(content instanceof Multipart)) {
                throw new MessagingException("multipart part without a parsable body");
            }
            Multipart multipart = (Multipart) content;
            int count = multipart.getCount();
            for (int i = 0; i < count; i++) {
                BodyPart child = multipart.getBodyPart(i);
                walk(child, findings, depth + 1);
            }
            return;
        }
        if (base.equals("message/rfc822")) {
            Object content = part.getContent();
            if (content instanceof Part) {
                walk((Part) content, findings, depth + 1);
            }
            return;
        }
        boolean text = base.startsWith("text/");
        byte[] body = read(part, text && fileName.isEmpty() ? MAX_TEXT : MAX_INSPECTED, !text);
        String lowerName = fileName.toLowerCase(Locale.ROOT);
        if (startsWith(body, new byte[] {'P', 'K', 3, 4}) || startsWith(body, new byte[] {'P', 'K', 5, 6})) {
            inspectZip(body, fileName, findings);
        } else if (startsWith(body, OLE2)) {
            inspectOle2(body, fileName, findings);
        }
        if (MACRO_EXTENSIONS.stream().anyMatch(lowerName::endsWith)
                && findings.stream().noneMatch(f -> f.kind() == Finding.Kind.MACRO && f.reason().endsWith(fileName))) {
            findings.add(new Finding(Finding.Kind.MACRO, "macro-enabled Office document " + fileName));
        }
        if (base.startsWith("text/") && contains(body, "-----BEGIN PGP MESSAGE-----".getBytes(StandardCharsets.US_ASCII))) {
            findings.add(new Finding(Finding.Kind.PGP, "inline PGP encrypted text" + (fileName.isEmpty() ? "" : " " + fileName)));
        }
    }

    private static ContentType contentType(Part part) throws MessagingException {
        String header = part.getContentType();
        if (header == null) {
            return new ContentType("text/plain");
        }
        try {
            return new ContentType(header);
        } catch (ParseException e) {
            throw new MessagingException("unparsable Content-Type '" + header + "'", e);
        }
    }

    private static Optional<String> fileName(Part part) {
        try {
            return Optional.ofNullable(part.getFileName());
        } catch (MessagingException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * The decoded body, at most {@code max} bytes kept. With {@code containersOnly}, a body that does not start as a ZIP
     * archive or an OLE2 document (the only binary formats inspected further) is read no further than its first bytes:
     * a large PDF or image is not decoded for nothing.
     */
    private static byte[] read(Part part, int max, boolean containersOnly) throws MessagingException, IOException {
        try (InputStream in = part.getInputStream()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            int total = 0;
            int n;
            boolean decided = !containersOnly;
            // a read of 0 bytes is not the end: JavaMail's base64 decoder gives 0 at some line ends
            while ((n = in.read(buffer)) >= 0) {
                if (n == 0) {
                    int b = in.read();
                    if (b < 0) {
                        break;
                    }
                    buffer[0] = (byte) b;
                    n = 1;
                }
                int keep = Math.min(n, max - total);
                if (keep > 0) {
                    out.write(buffer, 0, keep);
                    total += keep;
                }
                if (!decided && total >= OLE2.length) {
                    byte[] head = out.toByteArray();
                    if (!isContainer(head)) {
                        return head;
                    }
                    decided = true;
                }
            }
            return out.toByteArray();
        }
    }

    private static boolean isContainer(byte[] head) {
        return startsWith(head, new byte[] {'P', 'K', 3, 4}) || startsWith(head, new byte[] {'P', 'K', 5, 6}) || startsWith(head, OLE2);
    }

    /** Walks the ZIP central directory (or, without one, the local headers): encryption flag, macro projects. */
    void inspectZip(byte[] zip, String fileName, List<Finding> findings) {
        String label = fileName.isEmpty() ? "(unnamed)" : fileName;
        List<ZipEntryInfo> entries = ZipEntryInfo.read(zip);
        if (entries.isEmpty()) {
            findings.add(new Finding(Finding.Kind.PARSE_ERROR, "unreadable ZIP archive " + label));
            return;
        }
        if (zip.length >= MAX_INSPECTED) {
            findings.add(new Finding(Finding.Kind.PARSE_ERROR, "ZIP archive " + label + " too large to inspect (over "
                + (MAX_INSPECTED >> 20) + " MiB)"));
        } else {
            ZipEntryInfo.directoryProblem(zip).ifPresent(problem ->
                findings.add(new Finding(Finding.Kind.PARSE_ERROR, "ZIP archive " + label + " " + problem)));
        }
        List<String> encrypted = entries.stream().filter(ZipEntryInfo::encrypted).map(ZipEntryInfo::name).collect(Collectors.toList());
        if (!encrypted.isEmpty()) {
            findings.add(new Finding(Finding.Kind.PASSWORD, "password-protected archive " + label + " ("
                + (entries.stream().anyMatch(ZipEntryInfo::aes) ? "AES" : "ZipCrypto") + ", " + encrypted.size() + " encrypted entr"
                + (encrypted.size() == 1 ? "y" : "ies") + ")"));
        }
        if (entries.stream().anyMatch(e -> e.name().toLowerCase(Locale.ROOT).endsWith("vbaproject.bin"))) {
            findings.add(new Finding(Finding.Kind.MACRO, "Office document with macros (vbaProject.bin) " + label));
        }
    }

    void inspectOle2(byte[] document, String fileName, List<Finding> findings) {
        String label = fileName.isEmpty() ? "(unnamed)" : fileName;
        if (contains(document, "EncryptedPackage".getBytes(StandardCharsets.UTF_16LE))) {
            findings.add(new Finding(Finding.Kind.PASSWORD, "password-protected Office document " + label));
        }
        if (contains(document, "_VBA_PROJECT".getBytes(StandardCharsets.UTF_16LE))) {
            findings.add(new Finding(Finding.Kind.MACRO, "Office document with macros (_VBA_PROJECT) " + label));
        }
    }

    private static boolean startsWith(byte[] data, byte[] prefix) {
        if (data.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (data[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code needle} occurs in {@code data} (Boyer-Moore-Horspool: skips ahead by the last byte of each window). */
    static boolean contains(byte[] data, byte[] needle) {
        int length = needle.length;
        if (length == 0) {
            return true;
        }
        int last = length - 1;
        int[] skip = new int[256];
        Arrays.fill(skip, length);
        for (int j = 0; j < last; j++) {
            skip[needle[j] & 0xFF] = last - j;
        }
        for (int i = 0; i <= data.length - length; i += skip[data[i + last] & 0xFF]) {
            int j = last;
            while (data[i + j] == needle[j]) {
                if (j == 0) {
                    return true;
                }
                j--;
            }
        }
        return false;
    }
}
