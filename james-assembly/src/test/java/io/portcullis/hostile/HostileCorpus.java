package io.portcullis.hostile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Malformed and adversarial mail, generated deterministically from a seed: one family per kind of hostility
 * (broken MIME, deep nesting, bad charsets, 8-bit and NUL bytes, huge headers, truncated encodings, archive
 * bombs, duplicate and missing headers, bare line ends, hostile file names, forged gateway headers, quadratic
 * HTML, ...), each family producing a fixed number of variants, plus the real {@code .eml} fixtures of
 * {@code src/test/resources/hostile/}. The same seed gives the same bytes, so a failure can be replayed.
 *
 * <p>Every message gets its own envelope sender ({@code h<index>-<family>@<senderDomain>}): a message whose
 * headers are garbage has no Message-ID to find it by, but its envelope is tracked and written on delivery as
 * {@code Return-Path}.
 */
public final class HostileCorpus {
    public static final long DEFAULT_SEED = 20_261_204L;
    private static final String CRLF = "\r\n";
    private static final String GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";
    private static final String EICAR = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";
    private static final String FIXTURES = "hostile";
    private static final long ARCHIVE_TIME = 1_764_849_600_000L;

    private final long seed;
    private final String senderDomain;
    private final String recipient;
    private final Map<String, Family> families = new LinkedHashMap<>();
    private final Map<Integer, byte[]> bombs = new LinkedHashMap<>();

    private record Family(int count, BiFunction<Random, Integer, String> text) {
    }

    public HostileCorpus(long seed, String senderDomain, String recipient) {
        this.seed = seed;
        this.senderDomain = senderDomain;
        this.recipient = recipient;
        register();
    }

    /** The names of the families and how many messages each makes, in corpus order. */
    public Map<String, Integer> familySizes() {
        Map<String, Integer> sizes = new LinkedHashMap<>();
        families.forEach((name, family) -> sizes.put(name, family.count()));
        return sizes;
    }

    /** Every generated message followed by every fixture. */
    public List<HostileMessage> messages() {
        List<HostileMessage> messages = new ArrayList<>();
        for (Map.Entry<String, Family> family : families.entrySet()) {
            for (int variant = 0; variant < family.getValue().count(); variant++) {
                int index = messages.size();
                Random random = new Random(seed * 1_000_003L + index);
                String sender = sender(index, family.getKey());
                String text = family.getValue().text().apply(random, variant)
                    .replace("{id}", "corpus-" + index + "@" + senderDomain)
                    .replace("{from}", sender)
                    .replace("{to}", recipient);
                messages.add(new HostileMessage(index, family.getKey(), sender, text.getBytes(StandardCharsets.ISO_8859_1)));
            }
        }
        for (Map.Entry<String, byte[]> fixture : fixtures().entrySet()) {
            int index = messages.size();
            String family = "fixture-" + fixture.getKey().replace(".eml", "");
            messages.add(new HostileMessage(index, family, sender(index, family), fixture.getValue()));
        }
        return messages;
    }

    /**
     * {@code count} messages taken evenly across the corpus, in an order shuffled by the seed: any prefix of the
     * sample (what a server killed half-way got) mixes all the families.
     */
    public List<HostileMessage> sample(int count) {
        List<HostileMessage> all = messages();
        List<HostileMessage> sample = new ArrayList<>();
        double step = (double) all.size() / count;
        for (int i = 0; i < count && i * step < all.size(); i++) {
            sample.add(all.get((int) (i * step)));
        }
        Collections.shuffle(sample, new Random(seed));
        return sample;
    }

    private String sender(int index, String family) {
        return "h" + index + "-" + family + "@" + senderDomain;
    }

    private void family(String name, int count, BiFunction<Random, Integer, String> text) {
        families.put(name, new Family(count, text));
    }

    // ---------------------------------------------------------------- the families

    private void register() {
        family("clean", 30, (r, v) -> headers("clean " + v) + CRLF + "Hello,\r\nnothing odd here " + r.nextInt() + ".\r\n");
        family("broken-boundary", 60, this::brokenBoundary);
        family("nested-25-terminated", 20, (r, v) -> nestedMultipart(25 + (v % 3 == 0 ? 0 : r.nextInt(5)), true, v % 2 == 0));
        family("nested-25-unterminated", 20, (r, v) -> nestedMultipart(25 + (v % 3 == 0 ? 0 : r.nextInt(5)), false, v % 2 == 0));
        family("nested-rfc822", 10, (r, v) -> nestedRfc822(25 + r.nextInt(v + 1), v % 2 == 0));
        family("nested-100", 4, (r, v) -> nestedMultipart(100, v % 2 == 0, true));
        family("empty-parts-10000", 3, (r, v) -> emptyParts(10_000));
        family("empty-parts-1000", 10, (r, v) -> emptyParts(1_000 + r.nextInt(500)));
        family("bad-charset", 60, this::badCharset);
        family("eight-bit-headers", 60, this::eightBitHeaders);
        family("nul-bytes", 50, this::nulBytes);
        family("huge-folded-subject-500k", 3, (r, v) -> foldedSubject(500 * 1024));
        family("folded-subject-50k", 15, (r, v) -> foldedSubject(20_000 + r.nextInt(40_000)));
        family("truncated-base64", 50, this::truncatedBase64);
        family("truncated-quoted-printable", 50, this::truncatedQuotedPrintable);
        family("zip-bomb", 8, (r, v) -> attachment("Subject: archive " + v, "bomb" + v + ".zip", "application/zip", zipBomb(v % 2 == 0 ? 100 : 200)));
        family("zip-bomb-nested", 4, (r, v) -> attachment("Subject: nested archive " + v, "layers.zip", "application/zip", nestedBomb(8 + v)));
        family("nested-archives", 20, (r, v) -> attachment("Subject: nested zip " + v, "deep.zip", "application/zip", nestedZip(3 + v, r)));
        family("zip-hidden-exe", 2, (r, v) -> attachment("Subject: filler first " + v, "photos.zip", "application/zip", fillerFirstZip(r)));
        family("encrypted-archive", 10, (r, v) -> attachment("Subject: locked " + v, "locked.zip", "application/zip", encryptedZip()));
        family("dangerous-attachment", 20, this::dangerousAttachment);
        family("duplicate-headers", 60, this::duplicateHeaders);
        family("missing-headers", 50, this::missingHeaders);
        family("bare-line-ends", 60, this::bareLineEnds);
        family("long-lines", 20, this::longLines);
        family("many-headers", 4, (r, v) -> manyHeaders(10_000));
        family("hostile-filename", 60, this::hostileFilename);
        family("forged-gateway-headers", 30, this::forgedGatewayHeaders);
        family("html-30000-anchors", 3, (r, v) -> html("x", 30_000, v));
        family("html-unclosed-anchors", 20, (r, v) -> html("x", 1_000 + r.nextInt(2_000), v));
        family("display-name-angles", 20, this::displayNameAngles);
        family("garbage-addresses", 40, this::garbageAddresses);
        family("broken-encoded-words", 40, this::brokenEncodedWords);
        family("garbage-content-type", 40, this::garbageContentType);
        family("header-syntax", 40, this::headerSyntax);
        family("dot-lines", 30, this::dotLines);
        family("long-mime-properties", 12, this::longMimeProperties);
        family("gtube", 20, (r, v) -> headers("gtube " + v) + CRLF + "text\r\n" + GTUBE + "\r\n");
        family("eicar", 10, (r, v) -> attachment("Subject: eicar " + v, v % 2 == 0 ? "eicar.com" : "eicar.txt", "application/octet-stream",
            EICAR.getBytes(StandardCharsets.US_ASCII)));
        family("fake-encrypted", 20, this::fakeEncrypted);
    }

    private String headers(String subject) {
        return "From: Sender <{from}>\r\nTo: {to}\r\nSubject: " + subject + "\r\nDate: Fri, 4 Dec 2026 12:00:00 +0000\r\nMessage-ID: <{id}>\r\n";
    }

    private String envelopeHeaders() {
        return "From: Sender <{from}>\r\nTo: {to}\r\nDate: Fri, 4 Dec 2026 12:00:00 +0000\r\nMessage-ID: <{id}>\r\n";
    }

    private String brokenBoundary(Random r, int v) {
        String top = headers("broken boundary " + v) + "MIME-Version: 1.0\r\n";
        switch (v % 10) {
            case 0:
                return top + "Content-Type: multipart/mixed; boundary=\"abc\"\r\n\r\n--xyz\r\nContent-Type: text/plain\r\n\r\nwrong boundary\r\n--xyz--\r\n";
            case 1:
                return top + "Content-Type: multipart/mixed; boundary=\"abc\"\r\n\r\n--abc\r\nContent-Type: text/plain\r\n\r\nnever closed\r\n";
            case 2:
                return top + "Content-Type: multipart/mixed; boundary=\"abc\r\n\r\n--abc\r\n\r\nunbalanced quote\r\n--abc--\r\n";
            case 3:
                return top + "Content-Type: multipart/mixed; boundary=\"\"\r\n\r\n--\r\n\r\nempty boundary\r\n----\r\n";
            case 4:
                return top + "Content-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\nContent-Type: multipart/alternative; boundary=a-\r\n\r\n--a-\r\n\r\n"
                    + "prefix boundary\r\n--a\r\n\r\nsecond\r\n--a---\r\n--a--\r\n";
            case 5:
                return top + "Content-Type: multipart/mixed; boundary=" + "b".repeat(70 + r.nextInt(2000)) + "\r\n\r\n--" + "b".repeat(70)
                    + "\r\n\r\nlong boundary\r\n";
            case 6:
                return top + "Content-Type: multipart/mixed; boundary=b\r\n\r\n" + "preamble ".repeat(2000) + "\r\n--b\r\nContent-Type text/plain\r\nno blank line"
                    + "\r\n--b--\r\n" + "epilogue\u0000\u00ff".repeat(500);
            case 7:
                return top + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b--\r\n";
            case 8:
                return top + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n--b\r\n--b\r\nContent-Type: multipart/mixed\r\n\r\n--b--\r\n--b--\r\n";
            default:
                return top + "Content-Type: multipart/mixed; boundary=\"b b\"; boundary=c\r\n\r\n--b b\r\n\r\none\r\n--c\r\n\r\ntwo\r\n--c--\r\n";
        }
    }

    private String nestedMultipart(int depth, boolean terminated, boolean withAttachment) {
        StringBuilder text = new StringBuilder(headers("nested " + depth + (terminated ? " terminated" : " unterminated"))).append("MIME-Version: 1.0\r\n");
        for (int level = 0; level < depth; level++) {
            text.append("Content-Type: multipart/mixed; boundary=\"level-").append(level).append("\"\r\n\r\n--level-").append(level).append(CRLF);
        }
        text.append("Content-Type: text/plain\r\n\r\ninnermost\r\n");
        if (withAttachment) {
            text.append("--level-").append(depth - 1).append("\r\nContent-Type: application/octet-stream; name=\"deep.exe\"\r\n"
                + "Content-Disposition: attachment; filename=\"deep.exe\"\r\nContent-Transfer-Encoding: base64\r\n\r\nTVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAA\r\n");
        }
        if (terminated) {
            for (int level = depth - 1; level >= 0; level--) {
                text.append("--level-").append(level).append("--\r\n");
            }
        }
        return text.toString();
    }

    private String nestedRfc822(int depth, boolean withBoundaries) {
        StringBuilder text = new StringBuilder(headers("rfc822 nested " + depth)).append("MIME-Version: 1.0\r\n");
        for (int level = 0; level < depth; level++) {
            if (withBoundaries) {
                text.append("Content-Type: multipart/mixed; boundary=m").append(level).append("\r\n\r\n--m").append(level).append(CRLF);
            }
            text.append("Content-Type: message/rfc822\r\n\r\nSubject: level ").append(level).append("\r\nFrom: x").append(level).append("@remote.example\r\n");
        }
        return text.append("\r\ninnermost\r\n").toString();
    }

    private String emptyParts(int parts) {
        StringBuilder text = new StringBuilder(headers("empty parts " + parts)).append("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=e\r\n\r\n");
        for (int i = 0; i < parts; i++) {
            text.append("--e\r\n\r\n");
        }
        return text.append("--e--\r\n").toString();
    }

    private static final String[] CHARSETS = {"x-unknown-charset", "utf-8'", "\"\"", "UTF-7", "utf-16", "utf-32", "iso-2022-jp", "ebcdic-cp-us",
        "x-user-defined", "utf-8\u0000", "../../../etc/passwd", "unicode-1-1-utf-7", "big5-hkscs", "cp1252;charset=utf-8", "\u00e9\u00e8"};

    private String badCharset(Random r, int v) {
        String charset = v < CHARSETS.length ? CHARSETS[v] : v % 4 == 0 ? "x-" + "a".repeat(500 + r.nextInt(2000)) : CHARSETS[r.nextInt(CHARSETS.length)];
        String body = v % 3 == 0 ? "\u001b$B%F%9%H\u001b(B\u001b$\u00ff\u00fe odd\r\n" : "caf\u00e9 \u00ff\u00fe\u00fd " + r.nextInt() + "\r\n";
        String subject = "Subject: =?" + charset.replace("\"", "") + "?Q?caf=E9?= " + v + CRLF;
        String type = v % 2 == 0 ? "text/plain" : "text/html";
        return envelopeHeaders() + subject + "MIME-Version: 1.0\r\nContent-Type: " + type + "; charset=" + charset
            + "\r\nContent-Transfer-Encoding: " + (v % 5 == 0 ? "quoted-printable" : "8bit") + "\r\n\r\n" + (type.equals("text/html") ? "<p>" + body + "<a href=\"http://x.test/\">l</a>" : body);
    }

    private String eightBitHeaders(Random r, int v) {
        StringBuilder raw = new StringBuilder();
        for (int i = 0; i < 20 + r.nextInt(200); i++) {
            raw.append((char) (128 + r.nextInt(128)));
        }
        switch (v % 6) {
            case 0:
                return envelopeHeaders() + "Subject: " + raw + CRLF + CRLF + "body\r\n";
            case 1:
                return "From: " + raw + " <{from}>\r\nTo: {to}\r\nSubject: 8-bit from " + v + "\r\nMessage-ID: <{id}>\r\n\r\nbody " + raw + "\r\n";
            case 2:
                return envelopeHeaders() + "Subject: invalid utf-8 \u00c3\u0028 \u00e2\u0082 \u00ff\u00fe\u00f0\u0090\u0080\r\n\r\nbody\r\n";
            case 3:
                return envelopeHeaders() + "X-\u00e9\u00e8" + raw + ": value\r\nSubject: 8-bit header name " + v + "\r\n\r\nbody\r\n";
            case 4:
                return "From: Sender <{from}>\r\nTo: " + raw + "@acme.test, {to}\r\nSubject: 8-bit to\r\nMessage-ID: <" + raw + "@x>\r\n\r\n" + raw + "\r\n";
            default:
                return envelopeHeaders() + "Subject: 8-bit attachment name\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
                    + "Content-Type: application/octet-stream; name=\"" + raw + ".pdf\"\r\nContent-Disposition: attachment; filename=" + raw
                    + ".exe\r\n\r\n%PDF-1.4\r\n--b--\r\n";
        }
    }

    private String nulBytes(Random r, int v) {
        String nul = "\u0000".repeat(1 + r.nextInt(v % 5 == 0 ? 5000 : 10));
        switch (v % 5) {
            case 0:
                return envelopeHeaders() + "Subject: nul" + nul + "in subject\r\n\r\nbody\r\n";
            case 1:
                return headers("nul in body " + v) + CRLF + "before" + nul + "after\r\n" + nul + CRLF;
            case 2:
                return nul + headers("nul at start " + v) + CRLF + "body\r\n";
            case 3:
                return envelopeHeaders() + "X-Nul" + nul + "Name: v\r\nSubject: nul in name\r\n\r\nbody\r\n";
            default:
                return headers("nul in attachment name " + v) + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
                    + "Content-Type: text/plain; name=\"evil.exe" + nul + ".pdf\"\r\nContent-Disposition: attachment; filename=\"evil.exe" + nul
                    + ".pdf\"\r\n\r\nx\r\n--b--\r\n";
        }
    }

    private String foldedSubject(int size) {
        StringBuilder text = new StringBuilder(envelopeHeaders()).append("Subject: folded");
        int words = 0;
        while (text.length() < size) {
            text.append("\r\n ").append("word").append(words++).append(" lorem ipsum dolor sit amet consectetur adipiscing elit sed do");
        }
        return text.append("\r\n\r\nbody\r\n").toString();
    }

    private String truncatedBase64(Random r, int v) {
        byte[] data = new byte[2_000 + r.nextInt(20_000)];
        r.nextBytes(data);
        String encoded = Base64.getMimeEncoder().encodeToString(data);
        String cut = encoded.substring(0, encoded.length() - 1 - r.nextInt(Math.min(200, encoded.length() - 1)));
        String body;
        switch (v % 6) {
            case 0:
                body = cut;
                break;
            case 1:
                body = cut + "====\r\n!!!***\u00ff\u00fe";
                break;
            case 2:
                body = Base64.getEncoder().encodeToString(data);
                break;
            case 3:
                body = "=" + cut;
                break;
            case 4:
                body = cut.replace("\r\n", "\r\n\r\n");
                break;
            default:
                body = cut.substring(0, cut.length() / 2) + "\r\n--b--\r\n" + cut.substring(cut.length() / 2);
                break;
        }
        String closing = v % 2 == 0 ? "" : "\r\n--b--\r\n";
        return headers("truncated base64 " + v) + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
            + "--b\r\nContent-Type: application/pdf; name=\"report.pdf\"\r\nContent-Disposition: attachment; filename=\"report.pdf\"\r\n"
            + "Content-Transfer-Encoding: base64\r\n\r\n" + body + closing;
    }

    private String truncatedQuotedPrintable(Random r, int v) {
        String[] endings = {"=", "=4", "=ZZ", "=\r\n", "=\u00ff", "= \r\n=", "=0D=0A.=0D=0A", "=00=00=00"};
        String body = "caf=E9 line one=\r\n continues " + "x=3D".repeat(r.nextInt(5000)).replaceAll("((?:x=3D){18})", "$1=\r\n")
            + endings[v % endings.length];
        String type = v % 2 == 0 ? "text/plain; charset=iso-8859-1" : "text/html; charset=utf-8";
        return headers("truncated qp " + v) + "MIME-Version: 1.0\r\nContent-Type: " + type + "\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
            + (type.startsWith("text/html") ? "<a href=3D\"http://x.test/" + body : body);
    }

    private String attachment(String subjectLine, String name, String type, byte[] content) {
        return envelopeHeaders() + subjectLine + "\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
            + "--b\r\nContent-Type: " + type + "; name=\"" + name + "\"\r\nContent-Disposition: attachment; filename=\"" + name + "\"\r\n"
            + "Content-Transfer-Encoding: base64\r\n\r\n" + Base64.getMimeEncoder().encodeToString(content) + "\r\n--b--\r\n";
    }

    private String dangerousAttachment(Random r, int v) {
        String[] names = {"evil.exe", "evil.exe.", "evil.exe ", "invoice.pdf.exe", "EVIL.EXE", "evil.scr", "evil.js", "evil.exe::$DATA", "evil.e\u0000xe", "evil.exe%20"};
        String name = names[v % names.length];
        byte[] pe = ("MZ\u0090\u0000" + "x".repeat(100)).getBytes(StandardCharsets.ISO_8859_1);
        if (v >= names.length) {
            return attachment("Subject: zipped " + v, "archive.zip", "application/zip", zip(Map.of(name, pe)));
        }
        return attachment("Subject: dangerous " + v, name, "application/octet-stream", pe);
    }

    private String duplicateHeaders(Random r, int v) {
        int copies = 2 + r.nextInt(v % 10 == 0 ? 500 : 5);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < copies; i++) {
            switch (v % 4) {
                case 0:
                    text.append("From: copy").append(i).append(" <boss").append(i).append("@acme.test>\r\n");
                    break;
                case 1:
                    text.append("Subject: duplicate subject ").append(i).append(CRLF);
                    break;
                case 2:
                    text.append("Message-ID: <dup-").append(i).append("@remote.example>\r\n");
                    break;
                default:
                    text.append(i % 2 == 0 ? "Content-Type: text/plain\r\n" : "Content-Type: multipart/mixed; boundary=z\r\n")
                        .append("Content-Transfer-Encoding: ").append(i % 2 == 0 ? "base64" : "quoted-printable").append(CRLF);
                    break;
            }
        }
        return headers("duplicates " + v) + "From: a@remote.example, boss@acme.test\r\nTo: {to}\r\n" + text + "MIME-Version: 1.0\r\nMIME-Version: 2.0\r\n\r\n--z\r\n\r\nbody=\r\n";
    }

    private String missingHeaders(Random r, int v) {
        switch (v % 8) {
            case 0:
                return "To: {to}\r\nSubject: no from\r\n\r\nbody\r\n";
            case 1:
                return "From: {from}\r\nSubject: no to\r\n\r\nbody\r\n";
            case 2:
                return "Subject: no from, no date, no id\r\n\r\nbody\r\n";
            case 3:
                return "\r\nbody only, no headers at all\r\n";
            case 4:
                return "";
            case 5:
                return "From: {from}\r\nTo: {to}\r\nSubject: headers only";
            case 6:
                return "just a line of text, no header syntax, no blank line " + r.nextInt() + "\r\nand another\r\n";
            default:
                return "From:\r\nTo:\r\nSubject:\r\nMessage-ID:\r\nDate:\r\nContent-Type:\r\n\r\nempty values\r\n";
        }
    }

    private String bareLineEnds(Random r, int v) {
        String message = headers("line ends " + v) + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n"
            + "line\r\nline\r\n--b\r\nContent-Type: text/html\r\n\r\n<a href=\"http://x.test/\">x</a>\r\n--b--\r\n";
        switch (v % 4) {
            case 0:
                return message.replace(CRLF, "\n");
            case 1:
                return message.replace(CRLF, "\r");
            case 2:
                StringBuilder mixed = new StringBuilder();
                for (String line : message.split(CRLF)) {
                    mixed.append(line).append(r.nextInt(3) == 0 ? "\n" : r.nextInt(2) == 0 ? "\r" : CRLF);
                }
                return mixed.toString();
            default:
                return message.replace(CRLF, "\n\r");
        }
    }

    private String longLines(Random r, int v) {
        int length = 1_000 * (1 + r.nextInt(200));
        String line = "y".repeat(length);
        switch (v % 4) {
            case 0:
                return headers("long body line " + length) + CRLF + line + CRLF;
            case 1:
                return envelopeHeaders() + "Subject: long subject " + line + "\r\n\r\nbody\r\n";
            case 2:
                return headers("long header " + length) + "X-Long: " + line + "\r\n\r\nbody\r\n";
            default:
                return headers("long html line " + length) + "MIME-Version: 1.0\r\nContent-Type: text/html\r\n\r\n<p>" + "<b>y</b>".repeat(length / 8) + CRLF;
        }
    }

    private String manyHeaders(int count) {
        StringBuilder text = new StringBuilder(headers("many headers " + count));
        for (int i = 0; i < count; i++) {
            text.append("X-Header-").append(i).append(": value ").append(i).append(CRLF);
        }
        return text.append("\r\nbody\r\n").toString();
    }

    private String hostileFilename(Random r, int v) {
        String disposition;
        switch (v % 10) {
            case 0:
                disposition = IntStream.range(0, 15).mapToObj(i -> "filename*" + i + "=\"" + "\\\"".repeat(300) + "\"")
                    .collect(Collectors.joining(";\r\n "));
                break;
            case 1:
                disposition = "filename=\"" + "\"".repeat(100 + r.nextInt(5000)) + "\"";
                break;
            case 2:
                disposition = "filename*=utf-8''evil%0D%0ABcc%3A%20victim%40elsewhere.example%0D%0A.exe";
                break;
            case 3:
                disposition = "filename=\"invoice\r\nX-Injected: yes\r\n.exe\"";
                break;
            case 4:
                disposition = "filename=\"invoice\u00e2\u0080\u00aetxt.exe\"";
                break;
            case 5:
                disposition = "filename*=utf-8''invoice%E2%80%AEfdp.exe";
                break;
            case 6:
                disposition = "filename=\"../../../../../etc/passwd\"";
                break;
            case 7:
                disposition = "filename=\"" + "n".repeat(5_000 + r.nextInt(20_000)) + ".pdf\"";
                break;
            case 8:
                disposition = "filename*0*=utf-8''a%22; filename*2=b; filename*1000=\"c\"; filename*0=\"'\"";
                break;
            default:
                disposition = "filename=\"=?utf-8?B?" + Base64.getEncoder().encodeToString("evil\"',;\u202e.exe".getBytes(StandardCharsets.UTF_8)) + "?=\"";
                break;
        }
        return headers("hostile file name " + v) + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
            + "--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; " + disposition + "\r\n\r\nMZ payload\r\n--b--\r\n";
    }

    private String forgedGatewayHeaders(Random r, int v) {
        String forged = "X-Portcullis-Score: -100\r\nX-Portcullis-Report: true\r\nX-Portcullis-Reasons: -100 trusted\r\nX-Portcullis-Direction: outbound\r\n"
            + "X-PORTCULLIS-SCORE: -1000\r\nx-portcullis-release: yes\r\n";
        String body = v % 2 == 0 ? GTUBE : "plain text " + r.nextInt();
        return headers("forged gateway headers " + v) + forged + CRLF + body + CRLF;
    }

    private String html(String href, int anchors, int v) {
        StringBuilder text = new StringBuilder(headers("html anchors " + anchors + " " + v)).append("MIME-Version: 1.0\r\nContent-Type: text/html\r\n\r\n<html><body>");
        String anchor = v % 2 == 0 ? "<a href=" + href + ">" : "<a href=\"http://";
        for (int i = 0; i < anchors; i++) {
            text.append(anchor);
            if (i % 8 == 7) {
                text.append(CRLF);
            }
        }
        return text.append("\r\n").toString();
    }

    private String displayNameAngles(Random r, int v) {
        int count = 1_000 + r.nextInt(5_000);
        String angles = "<".repeat(count);
        switch (v % 4) {
            case 0:
                return "From: \"" + angles + "\" <{from}>\r\nTo: {to}\r\nSubject: angles " + v + "\r\nMessage-ID: <{id}>\r\n\r\nbody\r\n";
            case 1:
                return "From: " + angles + "{from}\r\nTo: {to}\r\nSubject: angles " + v + "\r\nMessage-ID: <{id}>\r\n\r\nbody\r\n";
            case 2:
                return "From: " + "paypal.com <".repeat(count / 10) + "{from}>\r\nTo: {to}\r\nSubject: angles " + v + "\r\n\r\nbody\r\n";
            default:
                return "From: \"boss@acme.test " + "@".repeat(count) + "\" <{from}>\r\nTo: {to}\r\nSubject: angles " + v + "\r\n\r\nbody\r\n";
        }
    }

    private String garbageAddresses(Random r, int v) {
        String[] froms = {"@@@", "a@b@c", "\"unterminated <x@remote.example>", "(" .repeat(5_000) + "x@remote.example", "undisclosed-recipients:;",
            "<>", "x@[999.999.999.999]", "\"\" <@remote.example>", "x@" + "sub.".repeat(2_000) + "example", "l".repeat(10_000) + "@remote.example"};
        String to = v % 3 == 0 ? Stream.generate(() -> "u" + r.nextInt(1_000_000) + "@acme.test").limit(1_000).collect(Collectors.joining(", ")) : "{to}";
        return "From: " + froms[v % froms.length] + "\r\nTo: " + to + "\r\nCc: ,,,,;;;;<<>>\r\nReply-To: " + froms[(v + 3) % froms.length]
            + "\r\nSubject: garbage address " + v + "\r\n\r\nbody\r\n";
    }

    private String brokenEncodedWords(Random r, int v) {
        String[] words = {"=?utf-8?B?!!!notbase64?=", "=?utf-8?Q?unterminated", "=?x-bogus?Q?abc?=", "=?utf-8?X?abc?=", "=??B?YWJj?=",
            "=?utf-8*fr?B?" + "QUFB".repeat(50_000) + "?=", "=?utf-8?B?" + "=".repeat(1000) + "?=", "=?utf-16?B?AA?=", "=?utf-8?Q?=ZZ=?=",
            "=?iso-2022-jp?B?GyRCGyhC?=" + "=?utf-8?B?w6k=?=".repeat(5_000)};
        String word = words[v % words.length];
        return "From: " + word + " <{from}>\r\nTo: {to}\r\nSubject: " + word + CRLF + "Message-ID: <{id}>\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; name=\"" + word + "\"\r\nContent-Disposition: attachment; filename=\""
            + word + "\"\r\n\r\nx\r\n--b--\r\n";
    }

    private String garbageContentType(Random r, int v) {
        String top = headers("content type " + v) + "MIME-Version: 1.0\r\n";
        switch (v % 10) {
            case 0:
                return top + "Content-Type: multipart/mixed\r\n\r\n--b\r\n\r\nno boundary parameter\r\n--b--\r\n";
            case 1:
                return top + "Content-Type: ;;;;;=;=\"\r\n\r\nbody\r\n";
            case 2:
                return top + "Content-Type: text/\r\nContent-Transfer-Encoding: x-unknown\r\n\r\nbody\r\n";
            case 3:
                return top + "Content-Type: text/plain" + Stream.generate(() -> "; p" + r.nextInt() + "=v").limit(10_000).collect(Collectors.joining()) + "\r\n\r\nbody\r\n";
            case 4:
                return top + "Content-Type: message/rfc822\r\n\r\n";
            case 5:
                return top + "Content-Type: message/partial; id=\"x\"; number=2; total=3\r\n\r\npart two\r\n";
            case 6:
                return top + "Content-Type: message/external-body; access-type=URL; URL=\"http://evil.example/x.exe\"\r\n\r\nContent-Type: application/x-msdownload\r\n\r\n";
            case 7:
                return top + "Content-Type: multipart/mixed; boundary=b\r\nContent-Transfer-Encoding: base64\r\n\r\n--b\r\n\r\nencoded multipart\r\n--b--\r\n";
            case 8:
                return top + "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\n" + binary(r, 5_000) + CRLF;
            default:
                return top + "Content-Type: text/plain; charset=utf-8; format=flowed; delsp=yes; name*0*=x%;name*1=\"\r\n\r\nbody\r\n";
        }
    }

    private String headerSyntax(Random r, int v) {
        switch (v % 6) {
            case 0:
                return " continuation first\r\n" + headers("continuation first " + v) + CRLF + "body\r\n";
            case 1:
                return headers("no colon " + v) + "This header has no colon\r\n\r\nbody\r\n";
            case 2:
                return headers("space before colon " + v) + "From : spoof@acme.test\r\nSubject\t: tab\r\n\r\nbody\r\n";
            case 3:
                return headers("long name " + v) + "X-" + "N".repeat(10_000) + ": v\r\n\r\nbody\r\n";
            case 4:
                return headers("colon only " + v) + ":\r\n: value\r\n::::\r\n\r\nbody\r\n";
            default:
                return headers("folded empty " + v) + "X-Folded:\r\n \r\n \r\n\t\r\n\r\nbody\r\n";
        }
    }

    /** Top-level MIME fields a mailbox may keep as message properties (type parameters, id, description, language, disposition). */
    private String longMimeProperties(Random r, int v) {
        String value = "p".repeat(1_025 + r.nextInt(4_000));
        String[] fields = {"Content-Type: text/plain; charset=utf-8; format=" + value, "Content-Type: text/plain; x-" + value + "=v",
            "Content-Type: text/plain\r\nContent-ID: <" + value + "@x>", "Content-Type: text/plain\r\nContent-Description: " + value,
            "Content-Type: text/plain\r\nContent-Language: " + value, "Content-Type: text/plain\r\nContent-Location: http://x.test/" + value,
            "Content-Type: text/plain\r\nContent-MD5: " + value, "Content-Type: text/plain\r\nContent-Disposition: inline; filename=\"" + value + "\"",
            "Content-Type: " + value + "/" + value, "Content-Type: text/plain; name*0=" + value + "; name*1=" + value,
            "Content-Type: text/plain\r\nContent-Disposition: " + value, "Content-Type: text/plain; charset=\"" + value + "\""};
        return headers("long mime property " + v) + "MIME-Version: 1.0\r\n" + fields[v % fields.length] + "\r\n\r\nbody\r\n";
    }

    private String dotLines(Random r, int v) {
        String[] bodies = {".\r\n", "..\r\n.\r\n..\r\n", ".\nnot the end\r\n", "line\r\n.\rstill\r\n", ". \r\n", "\r\n.\r\n.\r\n"};
        return headers("dots " + v) + CRLF + bodies[v % bodies.length] + "end " + r.nextInt() + CRLF;
    }

    private String fakeEncrypted(Random r, int v) {
        if (v % 2 == 0) {
            return headers("smime " + v) + "MIME-Version: 1.0\r\nContent-Type: application/pkcs7-mime; smime-type=enveloped-data; name=\"smime.p7m\"\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\n" + (v % 4 == 0 ? "MIAGCSqGSIb3DQEHA6CAMIACAQAx" : "!!!") + "\r\n";
        }
        return headers("pgp " + v) + "MIME-Version: 1.0\r\nContent-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=p\r\n\r\n"
            + "--p\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n--p\r\nContent-Type: application/octet-stream\r\n\r\n"
            + "-----BEGIN PGP MESSAGE-----\r\n" + (v % 3 == 0 ? "" : "hQEMA\r\n-----END PGP MESSAGE-----\r\n--p--\r\n");
    }

    private static String binary(Random r, int length) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            char c = (char) r.nextInt(256);
            text.append(c == '\n' || c == '\r' ? 'x' : c);
        }
        return text.toString();
    }

    // ---------------------------------------------------------------- archives

    /** A zip of one entry of {@code megabytes} MiB of zeros: about a thousandth of that on the wire. */
    private synchronized byte[] zipBomb(int megabytes) {
        return bombs.computeIfAbsent(megabytes, size -> {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
                zip.setLevel(9);
                zip.putNextEntry(entry("zeros.bin"));
                byte[] block = new byte[1 << 20];
                for (int i = 0; i < size; i++) {
                    zip.write(block);
                }
                zip.closeEntry();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return bytes.toByteArray();
        });
    }

    /** A zip of {@code entries} zips each holding a 100 MiB bomb. */
    private byte[] nestedBomb(int entries) {
        Map<String, byte[]> inner = new LinkedHashMap<>();
        for (int i = 0; i < entries; i++) {
            inner.put("layer" + i + ".zip", zipBomb(100));
        }
        return zip(inner);
    }

    /** {@code depth} zips inside each other, the innermost holding {@code evil.exe}. */
    private static byte[] nestedZip(int depth, Random r) {
        byte[] content = zip(Map.of("evil.exe", ("MZ" + r.nextInt()).getBytes(StandardCharsets.US_ASCII)));
        for (int level = 0; level < depth; level++) {
            content = zip(Map.of("level" + level + ".zip", content));
        }
        return content;
    }

    /** A zip whose first entry is 1.1 MB of incompressible filler, stored, followed by {@code evil.exe}. */
    private static byte[] fillerFirstZip(Random r) {
        byte[] filler = new byte[1_100_000];
        r.nextBytes(filler);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            ZipEntry first = entry("filler.jpg");
            first.setMethod(ZipEntry.STORED);
            first.setSize(filler.length);
            first.setCompressedSize(filler.length);
            CRC32 crc = new CRC32();
            crc.update(filler);
            first.setCrc(crc.getValue());
            zip.putNextEntry(first);
            zip.write(filler);
            zip.closeEntry();
            zip.putNextEntry(entry("evil.exe"));
            zip.write(("MZ" + r.nextInt()).getBytes(StandardCharsets.US_ASCII));
            zip.closeEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** A zip whose entry is flagged encrypted (general purpose bit 0), as a password-protected archive is. */
    private static byte[] encryptedZip() {
        byte[] zip = zip(Map.of("secret.docx", "not really encrypted".getBytes(StandardCharsets.US_ASCII)));
        for (int i = 0; i + 10 < zip.length; i++) {
            if (zip[i] == 'P' && zip[i + 1] == 'K' && zip[i + 2] == 3 && zip[i + 3] == 4) {
                zip[i + 6] |= 1;
            } else if (zip[i] == 'P' && zip[i + 1] == 'K' && zip[i + 2] == 1 && zip[i + 3] == 2) {
                zip[i + 8] |= 1;
            }
        }
        return zip;
    }

    /** An entry with a fixed time, so that the same seed gives the same archive bytes. */
    private static ZipEntry entry(String name) {
        ZipEntry entry = new ZipEntry(name);
        entry.setTime(ARCHIVE_TIME);
        return entry;
    }

    private static byte[] zip(Map<String, byte[]> entries) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
                zip.putNextEntry(entry(entry.getKey()));
                zip.write(entry.getValue());
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    // ---------------------------------------------------------------- fixtures

    /** The {@code .eml} files of {@code src/test/resources/hostile/}, by name, in name order. */
    public static Map<String, byte[]> fixtures() {
        URL location = HostileCorpus.class.getClassLoader().getResource(FIXTURES);
        if (location == null) {
            return Map.of();
        }
        Map<String, byte[]> fixtures = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(Path.of(location.toURI()))) {
            List<Path> sorted = files.filter(p -> p.getFileName().toString().endsWith(".eml")).sorted().collect(Collectors.toList());
            for (Path file : sorted) {
                try (InputStream in = Files.newInputStream(file)) {
                    fixtures.put(file.getFileName().toString(), in.readAllBytes());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        return Collections.unmodifiableMap(fixtures);
    }
}
