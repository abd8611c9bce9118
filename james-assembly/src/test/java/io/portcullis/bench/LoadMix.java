package io.portcullis.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.portcullis.dns.TestDnsServer;

/**
 * The message mix of the gateway load runs: clean, suspect and junk messages of realistic sizes (2 KB to 200 KB,
 * some with attachments), with the DNS records that make each kind score as intended in the full Portcullis flow:
 * <ul>
 *   <li>clean: sender domain {@code clean.example} whose SPF record passes 127.0.0.1, no listed link: score 0,
 *       delivered;</li>
 *   <li>suspect: a link to a domain listed in the URI blocklist {@code uribl.test} (+60): tagged, delivered;</li>
 *   <li>junk: SPF fail (+50), the listed link (+60), pharmacy keywords (+30): 140, held in quarantine.</li>
 * </ul>
 */
public final class LoadMix {
    public static final String RECIPIENT_DOMAIN = "bench.test";
    public static final String RECIPIENT = "user@" + RECIPIENT_DOMAIN;
    public static final String URIBL_ZONE = "uribl.test";
    public static final String LISTED_DOMAIN = "listed-uri.example";

    /** A kind of message, its share of the mix (percent), envelope sender and whether the full flow holds it. */
    public enum Kind {
        CLEAN_TEXT(35, "news@clean.example", false),
        CLEAN_HTML(25, "letters@clean.example", false),
        CLEAN_ATTACHMENT(10, "reports@clean.example", false),
        SUSPECT(15, "promo@clean.example", false),
        JUNK(15, "offers@junk.example", true);

        public final int percent;
        public final String sender;
        public final boolean held;

        Kind(int percent, String sender, boolean held) {
            this.percent = percent;
            this.sender = sender;
            this.held = held;
        }
    }

    private static final String LOREM = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore. ";

    private LoadMix() {
    }

    /** The loopback DNS answers the checks need (the blocklist zone of the sending IP answers nothing: not listed). */
    public static TestDnsServer dns() throws IOException {
        return TestDnsServer.start()
            .a("clean.example", "192.0.2.10").mx("clean.example", 10, "mx.clean.example").a("mx.clean.example", "192.0.2.10")
            .txt("clean.example", "v=spf1 ip4:127.0.0.1 -all")
            .a("junk.example", "192.0.2.66").mx("junk.example", 10, "mx.junk.example").a("mx.junk.example", "192.0.2.66")
            .txt("junk.example", "v=spf1 ip4:192.0.2.99 -all")
            .a(LISTED_DOMAIN + "." + URIBL_ZONE, "127.0.0.2");
    }

    /** The environment the checks of the full flow need to use that DNS and those zones. */
    public static Map<String, String> checksEnvironment(TestDnsServer dns) {
        return Map.of(
            "PORTCULLIS_CHECKS_DNS", "127.0.0.1:" + dns.port(),
            "PORTCULLIS_DNSBL_ZONES", "bl.test=60, bl2.test=40",
            "PORTCULLIS_URIBL_ZONES", URIBL_ZONE + "=60");
    }

    /** A shuffled schedule of {@code count} kinds in the mix's proportions (deterministic for a seed). */
    public static List<Kind> schedule(int count, long seed) {
        List<Kind> kinds = new ArrayList<>(count);
        for (Kind kind : Kind.values()) {
            for (int i = 0; i < Math.round(count * kind.percent / 100.0) && kinds.size() < count; i++) {
                kinds.add(kind);
            }
        }
        while (kinds.size() < count) {
            kinds.add(Kind.CLEAN_TEXT);
        }
        Collections.shuffle(kinds, new Random(seed));
        return kinds;
    }

    /**
     * The message (headers and body, CRLF line ends, no terminating dot) of a kind. With an {@code id}, it carries
     * {@code Message-ID: <id@load.example>} and the id in its subject; without, neither (smtp-source sends one file
     * many times).
     */
    public static String message(Kind kind, String id) {
        StringBuilder m = new StringBuilder();
        String from = kind.sender;
        m.append("From: ").append(displayName(kind)).append(" <").append(from).append(">\r\n");
        m.append("To: ").append(RECIPIENT).append("\r\n");
        m.append("Subject: ").append(subject(kind)).append(id == null ? "" : " [" + id + "]").append("\r\n");
        m.append("Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n");
        if (id != null) {
            m.append("Message-ID: <").append(id).append("@load.example>\r\n");
        }
        m.append("MIME-Version: 1.0\r\n");
        switch (kind) {
            case CLEAN_TEXT -> m.append("Content-Type: text/plain; charset=us-ascii\r\n\r\n")
                .append(lines("Hello team, the minutes of this morning's meeting follow. " + LOREM, 2_000));
            case CLEAN_HTML -> {
                m.append("Content-Type: text/html; charset=us-ascii\r\n\r\n<html><body><h1>Monthly letter</h1>\r\n");
                StringBuilder html = new StringBuilder();
                int n = 0;
                while (html.length() < 23_000) {
                    html.append("<p>").append(LOREM).append("<a href=\"https://www.clean.example/articles/").append(n++)
                        .append("\">Read more on www.clean.example</a></p>\r\n");
                }
                m.append(html).append("</body></html>\r\n");
            }
            case CLEAN_ATTACHMENT -> {
                m.append("Content-Type: multipart/mixed; boundary=\"=_load_boundary\"\r\n\r\n");
                m.append("--=_load_boundary\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n")
                    .append(lines("Please find the quarterly report attached. " + LOREM, 1_500));
                m.append("--=_load_boundary\r\nContent-Type: application/pdf; name=\"q3-report.pdf\"\r\n")
                    .append("Content-Disposition: attachment; filename=\"q3-report.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n");
                m.append(base64Pdf(145_000));
                m.append("--=_load_boundary--\r\n");
            }
            case SUSPECT -> m.append("Content-Type: text/plain; charset=us-ascii\r\n\r\n")
                .append(lines("Our autumn offers are online at http://www." + LISTED_DOMAIN + "/autumn today. " + LOREM, 8_000));
            case JUNK -> m.append("Content-Type: text/plain; charset=us-ascii\r\n\r\n")
                .append(lines("Cheap viagra from our online pharmacy, no prescription needed: http://shop." + LISTED_DOMAIN
                    + "/buy " + LOREM, 5_000));
        }
        return m.toString();
    }

    private static String displayName(Kind kind) {
        return switch (kind) {
            case CLEAN_TEXT -> "Clean News";
            case CLEAN_HTML -> "Clean Letters";
            case CLEAN_ATTACHMENT -> "Clean Reports";
            case SUSPECT -> "Clean Promotions";
            case JUNK -> "Best Offers";
        };
    }

    private static String subject(Kind kind) {
        return switch (kind) {
            case CLEAN_TEXT -> "Meeting minutes";
            case CLEAN_HTML -> "Monthly letter";
            case CLEAN_ATTACHMENT -> "Quarterly report";
            case SUSPECT -> "Autumn offers";
            case JUNK -> "Cheap meds";
        };
    }

    private static String lines(String text, int size) {
        StringBuilder body = new StringBuilder();
        while (body.length() < size) {
            body.append(text.trim()).append("\r\n");
        }
        return body.toString();
    }

    private static String base64Pdf(int bytes) {
        byte[] content = new byte[bytes];
        new Random(42).nextBytes(content);
        byte[] header = "%PDF-1.4\n".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(header, 0, content, 0, header.length);
        String encoded = java.util.Base64.getMimeEncoder(76, "\r\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(content);
        return encoded + "\r\n";
    }

    /** One file per kind, without id, for smtp-source {@code -F} (LF line ends: smtp-source appends CRLF). */
    public static Map<Kind, Path> writeFiles(Path directory) throws IOException {
        Files.createDirectories(directory);
        Map<Kind, Path> files = new EnumMap<>(Kind.class);
        for (Kind kind : Kind.values()) {
            Path file = directory.resolve(kind.name().toLowerCase() + ".eml");
            Files.writeString(file, message(kind, null).replace("\r\n", "\n"), StandardCharsets.US_ASCII);
            files.put(kind, file);
        }
        return files;
    }
}
