package io.portcullis.checks;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The messages of the gateway load mix (james-assembly {@code io.portcullis.bench.LoadMix}, rebuilt here because the
 * mailets module cannot see that module's tests): clean text (2 KB), clean HTML (23 KB, a link a paragraph), clean
 * text with a 145 KB PDF attachment, suspect text (8 KB) with a listed link, junk text (5 KB) with pharmacy keywords
 * and a listed link; in the mix's proportions 35 / 25 / 10 / 15 / 15.
 */
final class BenchmarkCorpus {
    static final String LISTED_DOMAIN = "listed-uri.example";
    static final String URIBL_ZONE = "uribl.test";
    private static final String LOREM = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore. ";

    enum Kind {
        CLEAN_TEXT(35), CLEAN_HTML(25), CLEAN_ATTACHMENT(10), SUSPECT(15), JUNK(15);

        final int percent;

        Kind(int percent) {
            this.percent = percent;
        }
    }

    private BenchmarkCorpus() {
    }

    /** 100 kinds in the mix's proportions, shuffled with a fixed seed. */
    static List<Kind> schedule() {
        List<Kind> kinds = new ArrayList<>();
        for (Kind kind : Kind.values()) {
            for (int i = 0; i < kind.percent; i++) {
                kinds.add(kind);
            }
        }
        Collections.shuffle(kinds, new Random(7));
        return kinds;
    }

    static String htmlBody() {
        StringBuilder html = new StringBuilder("<html><body><h1>Monthly letter</h1>\r\n");
        int n = 0;
        while (html.length() < 23_000) {
            html.append("<p>").append(LOREM).append("<a href=\"https://www.clean.example/articles/").append(n++)
                .append("\">Read more on www.clean.example</a></p>\r\n");
        }
        return html.append("</body></html>\r\n").toString();
    }

    static String suspectBody() {
        return lines("Our autumn offers are online at http://www." + LISTED_DOMAIN + "/autumn today. " + LOREM, 8_000);
    }

    static String junkBody() {
        return lines("Cheap viagra from our online pharmacy, no prescription needed: http://shop." + LISTED_DOMAIN + "/buy " + LOREM, 5_000);
    }

    /** The whole message (CRLF line ends) as the gateway receives it. */
    static byte[] message(Kind kind) {
        StringBuilder m = new StringBuilder();
        String sender = switch (kind) {
            case CLEAN_TEXT -> "Clean News <news@clean.example>";
            case CLEAN_HTML -> "Clean Letters <letters@clean.example>";
            case CLEAN_ATTACHMENT -> "Clean Reports <reports@clean.example>";
            case SUSPECT -> "Clean Promotions <promo@clean.example>";
            case JUNK -> "Best Offers <offers@junk.example>";
        };
        m.append("From: ").append(sender).append("\r\nTo: user@bench.test\r\nSubject: ").append(kind.name().toLowerCase())
            .append("\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n");
        switch (kind) {
            case CLEAN_TEXT -> m.append("Content-Type: text/plain; charset=us-ascii\r\n\r\n")
                .append(lines("Hello team, the minutes of this morning's meeting follow. " + LOREM, 2_000));
            case CLEAN_HTML -> m.append("Content-Type: text/html; charset=us-ascii\r\n\r\n").append(htmlBody());
            case CLEAN_ATTACHMENT -> {
                m.append("Content-Type: multipart/mixed; boundary=\"=_load_boundary\"\r\n\r\n");
                m.append("--=_load_boundary\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n")
                    .append(lines("Please find the quarterly report attached. " + LOREM, 1_500));
                m.append("--=_load_boundary\r\nContent-Type: application/pdf; name=\"q3-report.pdf\"\r\n")
                    .append("Content-Disposition: attachment; filename=\"q3-report.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n");
                m.append(base64Pdf(145_000));
                m.append("--=_load_boundary--\r\n");
            }
            case SUSPECT -> m.append("Content-Type: text/plain; charset=us-ascii\r\n\r\n").append(suspectBody());
            case JUNK -> m.append("Content-Type: text/plain; charset=us-ascii\r\n\r\n").append(junkBody());
        }
        return m.toString().getBytes(StandardCharsets.US_ASCII);
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
        return Base64.getMimeEncoder(76, "\r\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(content) + "\r\n";
    }
}
