package io.portcullis.report.render;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.stream.Collectors;

import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.InternetAddress;
import javax.mail.internet.MimeBodyPart;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeMultipart;

import io.portcullis.quarantine.HeldMessage;
import io.portcullis.quarantine.QuarantineEntry;

/**
 * Renders a quarantine report: multipart/alternative, text and HTML, newest first, each held message with
 * date, sender, subject, area, score and its top reasons in plain words, and its action links. With no item,
 * the "nothing held" reply.
 *
 * <p>Every value a sender controls (subject, sender, reasons, which may quote a file name or a header) goes through
 * {@link #clean}: control characters (CR, LF, TAB, NUL, ...), Unicode line and paragraph separators and
 * bidirectional overrides become one space or nothing, and the value is cut to a documented length, so a held
 * subject can never start a line of its own in the text (a fake "Release:" link) nor reorder what is shown.
 */
public class ReportRenderer {
    public static final int TOP_REASONS = 3;
    public static final String ORDER = "release,request release,delete,always allow sender";
    /** Longest subject shown (characters, code points); longer ones end with an ellipsis. */
    public static final int MAX_SUBJECT = 200;
    /** Longest sender address shown (the longest address SMTP allows). */
    public static final int MAX_SENDER = 320;
    /** Longest reason shown. */
    public static final int MAX_REASON = 200;
    private static final String ELLIPSIS = "\u2026";
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT);
    private static final Session SESSION = Session.getInstance(new Properties());

    private final ZoneId zone;

    public ReportRenderer(ZoneId zone) {
        this.zone = zone;
    }

    public MimeMessage render(String from, String to, List<ReportItem> items, int days) throws MessagingException {
        List<ReportItem> sorted = items.stream()
            .sorted(Comparator.comparing((ReportItem i) -> i.entry().message().arrival()).reversed()
                .thenComparing(i -> i.entry().entryId()))
            .collect(Collectors.toList());
        MimeMessage message = new MimeMessage(SESSION);
        message.setFrom(new InternetAddress(from));
        message.setRecipient(javax.mail.Message.RecipientType.TO, new InternetAddress(to));
        message.setSubject(sorted.isEmpty()
            ? "Quarantine report: no messages held for you"
            : "Quarantine report: " + sorted.size() + (sorted.size() == 1 ? " message" : " messages") + " held for you", "UTF-8");
        message.setHeader("Auto-Submitted", "auto-generated");
        message.setHeader("X-Portcullis-Report", "true");
        MimeMultipart alternative = new MimeMultipart("alternative");
        MimeBodyPart text = new MimeBodyPart();
        text.setText(text(to, sorted, days), "UTF-8", "plain");
        MimeBodyPart html = new MimeBodyPart();
        html.setText(html(to, sorted, days), "UTF-8", "html");
        alternative.addBodyPart(text);
        alternative.addBodyPart(html);
        message.setContent(alternative);
        message.saveChanges();
        return message;
    }

    public String text(String to, List<ReportItem> items, int days) {
        StringBuilder out = new StringBuilder();
        if (items.isEmpty()) {
            return out.append("No messages held for you (").append(to).append(") in the last ").append(days)
                .append(days == 1 ? " day.\n" : " days.\n").toString();
        }
        out.append(items.size()).append(items.size() == 1 ? " message is" : " messages are")
            .append(" held for you (").append(to).append("), newest first.\n\n");
        for (ReportItem item : items) {
            HeldMessage m = item.entry().message();
            out.append("Date:    ").append(DATE.format(m.arrival().atZone(zone))).append('\n')
                .append("From:    ").append(sender(m)).append('\n')
                .append("Subject: ").append(subject(m)).append('\n')
                .append("Area:    ").append(clean(m.area(), MAX_REASON)).append('\n');
            m.score().ifPresent(s -> out.append("Score:   ").append(s).append('\n'));
            List<String> reasons = topReasons(m);
            if (!reasons.isEmpty()) {
                out.append("Why:     ").append(String.join("; ", reasons)).append('\n');
            }
            for (String action : ORDER.split(",")) {
                String link = item.links().get(action);
                if (link != null) {
                    out.append("  ").append(capitalize(action)).append(": ").append(link).append('\n');
                }
            }
            out.append('\n');
        }
        return out.toString();
    }

    public String html(String to, List<ReportItem> items, int days) {
        StringBuilder out = new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"UTF-8\"><title>Quarantine report</title></head><body>");
        if (items.isEmpty()) {
            out.append("<p>No messages held for you (").append(escape(to)).append(") in the last ").append(days)
                .append(days == 1 ? " day.</p>" : " days.</p>");
            return out.append("</body></html>").toString();
        }
        out.append("<p>").append(items.size()).append(items.size() == 1 ? " message is" : " messages are")
            .append(" held for you (").append(escape(to)).append("), newest first.</p>")
            .append("<table border=\"1\" cellpadding=\"4\" cellspacing=\"0\"><tr><th>Date</th><th>Sender</th><th>Subject</th>"
                + "<th>Area</th><th>Score</th><th>Why</th><th>Actions</th></tr>");
        for (ReportItem item : items) {
            HeldMessage m = item.entry().message();
            out.append("<tr><td>").append(escape(DATE.format(m.arrival().atZone(zone)))).append("</td><td>")
                .append(escape(sender(m))).append("</td><td>").append(escape(subject(m)))
                .append("</td><td>").append(escape(clean(m.area(), MAX_REASON))).append("</td><td>")
                .append(m.score().map(String::valueOf).orElse("")).append("</td><td>")
                .append(escape(String.join("; ", topReasons(m)))).append("</td><td>");
            boolean first = true;
            for (String action : ORDER.split(",")) {
                String link = item.links().get(action);
                if (link != null) {
                    if (!first) {
                        out.append(" | ");
                    }
                    first = false;
                    out.append("<a href=\"").append(escape(link)).append("\">").append(escape(capitalize(action))).append("</a>");
                }
            }
            out.append("</td></tr>");
        }
        return out.append("</table></body></html>").toString();
    }

    static List<String> topReasons(HeldMessage message) {
        List<String> reasons = message.reasons().isEmpty() ? message.triggeredRules() : message.reasons();
        return reasons.stream().map(r -> clean(r, MAX_REASON)).filter(r -> !r.isBlank()).limit(TOP_REASONS)
            .collect(Collectors.toList());
    }

    private static String sender(HeldMessage m) {
        return m.sender().isEmpty() ? "<> (bounce)" : clean(m.sender(), MAX_SENDER);
    }

    private static String subject(HeldMessage m) {
        String subject = m.subject().map(s -> clean(s, MAX_SUBJECT)).orElse("");
        return subject.isBlank() ? "(no subject)" : subject;
    }

    /**
     * {@code value} made safe to show on one line of a report: each run of whitespace and control characters
     * (CR, LF, TAB, other C0 and C1 controls, U+2028 / U+2029) becomes one space, format characters that reorder or
     * hide text (bidirectional embeddings, overrides and isolates, zero-width characters) are dropped, the result is
     * trimmed and cut to {@code max} code points (an ellipsis marks the cut). Linear in the length of the value; at
     * most {@code 4 * max} characters of it are read.
     */
    public static String clean(String value, int max) {
        if (value == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(Math.min(value.length(), max + 1));
        int points = 0;
        boolean pendingSpace = false;
        boolean cut = false;
        int limit = (int) Math.min(value.length(), 4L * max + 4);
        for (int i = 0; i < limit; ) {
            int c = value.codePointAt(i);
            i += Character.charCount(c);
            if (Character.isWhitespace(c) || Character.isSpaceChar(c) || Character.isISOControl(c)) {
                pendingSpace = out.length() > 0;
                continue;
            }
            if (Character.getType(c) == Character.FORMAT) {
                continue;
            }
            if (points + (pendingSpace ? 1 : 0) >= max) {
                cut = true;
                break;
            }
            if (pendingSpace) {
                out.append(' ');
                points++;
                pendingSpace = false;
            }
            out.appendCodePoint(c);
            points++;
        }
        if (cut || limit < value.length()) {
            out.append(ELLIPSIS);
        }
        return out.toString();
    }

    private static String capitalize(String action) {
        return Character.toUpperCase(action.charAt(0)) + action.substring(1);
    }

    public static String escape(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (char c : value.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** Entries sorted as a report lists them (newest first). */
    public static Comparator<QuarantineEntry> newestFirst() {
        return Comparator.comparing((QuarantineEntry e) -> e.message().arrival()).reversed();
    }
}
