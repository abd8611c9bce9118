package io.portcullis.checks;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.mail.MessagingException;
import javax.mail.Multipart;
import javax.mail.Part;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeUtility;

import org.apache.mailet.Mail;

/**
 * The parts of a message the content checks look at: decoded text bodies (plain and HTML), attachments
 * (name, declared type, first bytes of content) and links. Parsed once per message and shared by the checks
 * of the same processor (kept while the {@link MimeMessage} object lives).
 */
public final class MessageContent {
    /** How much of each attachment is read for magic bytes and test strings. */
    public static final int MAX_ATTACHMENT_BYTES = 1 << 20;
    /** How much of an attachment that is a ZIP archive is kept whole, so that its directory (at the end) can be read. */
    public static final int MAX_ARCHIVE_BYTES = 64 << 20;
    /**
     * How much of each text part (characters) is searched for links: anchors in the HTML as sent, bare URLs in the text
     * as a reader sees it. Links further into a part are not looked at (nor looked up in URI blocklists).
     */
    public static final int MAX_LINK_SCAN = 1 << 20;
    private static final int MAX_DEPTH = 20;
    private static final Map<MimeMessage, MessageContent> CACHE = Collections.synchronizedMap(new WeakHashMap<>());

    private static final Pattern URL = Pattern.compile("(?i)\\b(?:https?://|www\\.)[^\\s<>\"'()\\[\\]]+");

    public record TextPart(String text, boolean html) {
    }

    /**
     * An attachment: its name, declared type, first {@link #MAX_ATTACHMENT_BYTES} bytes, and, when those start as a ZIP
     * archive, the whole decoded part (at most {@link #MAX_ARCHIVE_BYTES}; null otherwise) so that the archive's
     * directory, at its end, can be read.
     */
    public record Attachment(String filename, String contentType, byte[] content, byte[] archive) {
        public Attachment(String filename, String contentType, byte[] content) {
            this(filename, contentType, content, null);
        }

        /** Whether the archive was longer than {@link #MAX_ARCHIVE_BYTES} and is cut. */
        public boolean archiveCut() {
            return archive != null && archive.length > MAX_ARCHIVE_BYTES;
        }
    }

    /** A link: its text as the reader sees it (empty for a bare URL) and where it goes. */
    public record Link(String text, String href) {
    }

    private final List<TextPart> texts = new ArrayList<>();
    private final List<Attachment> attachments = new ArrayList<>();
    // Derived views, computed once (several checks ask for them; the parts do not change after parsing).
    private volatile String bodyText;
    private volatile String rawBody;
    private volatile List<Link> links;
    private volatile List<String> linkHosts;
    /** Each text part as a reader sees it (HTML without tags), shared by the body text and the bare URL search. */
    private volatile List<String> readable;

    private MessageContent() {
    }

    public static MessageContent of(Mail mail) throws MessagingException, IOException {
        MimeMessage message = mail.getMessage();
        MessageContent cached = CACHE.get(message);
        if (cached != null) {
            return cached;
        }
        MessageContent content = new MessageContent();
        content.walk(message, 0);
        CACHE.put(message, content);
        return content;
    }

    /** For tests and callers holding a bare message. */
    public static MessageContent parse(MimeMessage message) throws MessagingException, IOException {
        MessageContent content = new MessageContent();
        content.walk(message, 0);
        return content;
    }

    /** A content of the given text parts only (tests and benchmarks of the derived views). */
    static MessageContent ofTexts(List<TextPart> parts) {
        MessageContent content = new MessageContent();
        content.texts.addAll(parts);
        return content;
    }

    private void walk(Part part, int depth) throws MessagingException, IOException {
        if (depth > MAX_DEPTH) {
            throw new MessagingException("MIME structure nested deeper than " + MAX_DEPTH + " levels");
        }
        if (part.isMimeType("multipart/*")) {
            Object content = part.getContent();
            if (content instanceof Multipart multipart) {
                for (int i = 0; i < multipart.getCount(); i++) {
                    walk(multipart.getBodyPart(i), depth + 1);
                }
                return;
            }
        }
        if (part.isMimeType("message/rfc822")) {
            Object content = part.getContent();
            if (content instanceof Part inner) {
                walk(inner, depth + 1);
                return;
            }
        }
        String filename = filename(part);
        boolean text = part.isMimeType("text/plain") || part.isMimeType("text/html");
        boolean attachment = filename != null || Part.ATTACHMENT.equalsIgnoreCase(disposition(part));
        if (text && !attachment) {
            texts.add(new TextPart(readText(part), part.isMimeType("text/html")));
            return;
        }
        try (InputStream in = part.getInputStream()) {
            byte[] bytes = readUpTo(in, MAX_ATTACHMENT_BYTES);
            byte[] archive = null;
            if (ArchiveNames.isZip(bytes)) {
                // the rest too (one byte more than kept tells a cut archive): the directory is at the end
                byte[] rest = readUpTo(in, MAX_ARCHIVE_BYTES + 1 - bytes.length);
                archive = new byte[bytes.length + rest.length];
                System.arraycopy(bytes, 0, archive, 0, bytes.length);
                System.arraycopy(rest, 0, archive, bytes.length, rest.length);
            }
            attachments.add(new Attachment(filename == null ? "" : filename, baseType(part), bytes, archive));
        }
        if (text) {
            texts.add(new TextPart(readText(part), part.isMimeType("text/html")));
        }
    }

    /**
     * At most {@code max} bytes of {@code in}, up to its end. Unlike {@link InputStream#readNBytes(int)}, a read that
     * gives 0 bytes is not taken for the end: JavaMail's base64 decoder gives 0 at some line ends, which cut every
     * base64 attachment after its first 8 KiB.
     */
    static byte[] readUpTo(InputStream in, int max) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(max, 64 * 1024));
        byte[] buffer = new byte[64 * 1024];
        int total = 0;
        while (total < max) {
            int n = in.read(buffer, 0, Math.min(buffer.length, max - total));
            if (n < 0) {
                break;
            }
            if (n == 0) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                out.write(b);
                total++;
                continue;
            }
            out.write(buffer, 0, n);
            total += n;
        }
        return out.toByteArray();
    }

    private static String disposition(Part part) {
        try {
            return part.getDisposition();
        } catch (MessagingException e) {
            return null;
        }
    }

    private static String baseType(Part part) throws MessagingException {
        String type = part.getContentType();
        if (type == null) {
            return "application/octet-stream";
        }
        int semicolon = type.indexOf(';');
        return (semicolon < 0 ? type : type.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }

    private static String filename(Part part) {
        try {
            String name = part.getFileName();
            if (name == null) {
                return null;
            }
            try {
                return MimeUtility.decodeText(name);
            } catch (IOException e) {
                return name;
            }
        } catch (MessagingException e) {
            return null;
        }
    }

    private static String readText(Part part) throws MessagingException, IOException {
        try {
            Object content = part.getContent();
            if (content instanceof String string) {
                return string;
            }
        } catch (IOException | RuntimeException e) {
            // unknown charset: fall through to the raw bytes
        }
        try (InputStream in = part.getInputStream()) {
            return new String(readUpTo(in, 8 * MAX_ATTACHMENT_BYTES), StandardCharsets.UTF_8);
        }
    }

    public List<TextPart> texts() {
        return List.copyOf(texts);
    }

    public List<Attachment> attachments() {
        return List.copyOf(attachments);
    }

    /** All body text as a reader sees it: plain parts as they are, HTML parts without tags, joined by newlines. */
    public String bodyText() {
        String text = bodyText;
        if (text == null) {
            text = computeBodyText();
            bodyText = text;
        }
        return text;
    }

    private String computeBodyText() {
        StringBuilder builder = new StringBuilder();
        for (String text : readable()) {
            builder.append(text).append('\n');
        }
        return builder.toString();
    }

    private List<String> readable() {
        List<String> found = readable;
        if (found == null) {
            List<String> texts = new ArrayList<>(this.texts.size());
            for (TextPart part : this.texts) {
                texts.add(part.html() ? htmlToText(part.text()) : part.text());
            }
            found = Collections.unmodifiableList(texts);
            readable = found;
        }
        return found;
    }

    /** The bodies as sent (HTML with its tags), for rules that look at markup. */
    public String rawBody() {
        String text = rawBody;
        if (text == null) {
            StringBuilder builder = new StringBuilder();
            texts.forEach(part -> builder.append(part.text()).append('\n'));
            text = builder.toString();
            rawBody = text;
        }
        return text;
    }

    /**
     * The text of HTML as a reader sees it: each tag (from a {@code <} to the next {@code >}) replaced by a space, then
     * {@code &nbsp; &amp; &lt; &gt; &quot;} decoded in that order (so {@code &amp;lt;} ends as {@code <}).
     */
    public static String htmlToText(String html) {
        int open = html.indexOf('<');
        String text = html;
        if (open >= 0) {
            int close = html.indexOf('>', open + 1);
            if (close >= 0) {
                StringBuilder builder = new StringBuilder(html.length());
                int from = 0;
                while (open >= 0 && close >= 0) {
                    builder.append(html, from, open).append(' ');
                    from = close + 1;
                    open = html.indexOf('<', from);
                    close = open < 0 ? -1 : html.indexOf('>', open + 1);
                }
                text = builder.append(html, from, html.length()).toString();
            }
        }
        if (text.indexOf('&') < 0) {
            return text;
        }
        return text.replace("&nbsp;", " ").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"");
    }

    /** Links of the HTML parts (with their text) and bare URLs of every text part. */
    public List<Link> links() {
        List<Link> found = links;
        if (found == null) {
            found = List.copyOf(computeLinks());
            links = found;
        }
        return found;
    }

    private List<Link> computeLinks() {
        List<Link> links = new ArrayList<>();
        List<String> readable = readable();
        for (int i = 0; i < texts.size(); i++) {
            TextPart part = texts.get(i);
            if (part.html()) {
                anchors(head(part.text(), MAX_LINK_SCAN), links);
            }
            bareUrls(head(readable.get(i), MAX_LINK_SCAN), links);
        }
        return links;
    }

    /**
     * The anchors of an HTML text, in order: what the regular expression
     * {@code (?is)<a\s[^>]*?href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))[^>]*>(.*?)</a\s*>} finds, found by
     * {@link AnchorScanner} in time linear in the text (the expression, tried at every {@code <a}, reads on to the end
     * of the text for each anchor that is never closed).
     */
    private static void anchors(String html, List<Link> links) {
        AnchorScanner scanner = new AnchorScanner(html);
        int length = html.length();
        int at = html.indexOf('<');
        while (at >= 0 && at + 2 < length) {
            char a = html.charAt(at + 1);
            if ((a == 'a' || a == 'A') && isRegexSpace(html.charAt(at + 2))) {
                Optional<Anchor> anchor = scanner.anchorAt(at);
                if (anchor.isPresent()) {
                    Anchor found = anchor.get();
                    links.add(new Link(htmlToText(html.substring(found.textStart(), found.textEnd())).trim(), found.href().trim()));
                    at = html.indexOf('<', found.end());
                    continue;
                }
            }
            at = html.indexOf('<', at + 1);
        }
    }

    /** What an anchor match holds: its href, where its text starts and ends, and where the match ends. */
    private record Anchor(int hrefAt, String href, int textStart, int textEnd, int end) {
    }

    /**
     * The first position at or after a given one where something is found, remembered: a query that does not go back
     * before the previous one and not past its answer is answered without reading the text again. Queries that go
     * forward therefore read each character at most once in all.
     */
    private abstract static class Forward {
        private int lastFrom = Integer.MAX_VALUE;
        private int lastFound;

        final int from(int position) {
            if (position >= lastFrom && (lastFound < 0 || lastFound >= position)) {
                return lastFound;
            }
            lastFrom = position;
            lastFound = find(position);
            return lastFound;
        }

        /** The first position at or after {@code position} where it is found, or -1. */
        abstract int find(int position);
    }

    /**
     * Finds the matches of the anchor expression of {@link #anchors} without backtracking over the text. Whether the part
     * of the expression from {@code href} on matches at a position {@code h} does not depend on where the {@code <a}
     * is, so it is decided once per position, in increasing order; its lookups (next quote, next {@code >}, next
     * {@code </a>}) then only go forward and each reads the text once ({@link Forward}). An {@code <a} then has an
     * anchor when the first position from its fourth character on where that part matches comes before the first
     * {@code >} ({@code [^>]*?} cannot pass one).
     */
    private static final class AnchorScanner {
        private final String html;
        private final int length;
        private final Forward tagEnd;
        private final Forward doubleQuote;
        private final Forward singleQuote;
        private final Forward runEnd;
        private final Forward[] tagEndAfter = new Forward[3];
        private final Forward[] closeAfter = new Forward[3];
        private int successFrom = Integer.MAX_VALUE;
        private Anchor success;

        AnchorScanner(String html) {
            this.html = html;
            this.length = html.length();
            this.tagEnd = character('>');
            this.doubleQuote = character('"');
            this.singleQuote = character('\'');
            this.runEnd = new Forward() {
                @Override
                int find(int position) {
                    for (int i = position; i < length; i++) {
                        char c = html.charAt(i);
                        if (c == '>' || isRegexSpace(c)) {
                            return i;
                        }
                    }
                    return length;
                }
            };
            for (int i = 0; i < 3; i++) {
                tagEndAfter[i] = character('>');
                closeAfter[i] = new Forward() {
                    @Override
                    int find(int position) {
                        return closingTag(position);
                    }
                };
            }
        }

        private Forward character(char wanted) {
            return new Forward() {
                @Override
                int find(int position) {
                    return position >= length ? -1 : html.indexOf(wanted, position);
                }
            };
        }

        /** The anchor of the {@code <a} (followed by white space) at {@code at}, if the expression matches there. */
        Optional<Anchor> anchorAt(int at) {
            int limit = tagEnd.from(at + 3);
            if (limit < 0) {
                return Optional.empty();
            }
            Anchor anchor = firstFrom(at + 3);
            return anchor != null && anchor.hrefAt() < limit ? Optional.of(anchor) : Optional.empty();
        }

        /** The first position at or after {@code from} where the expression from {@code href} on matches (null: none). */
        private Anchor firstFrom(int from) {
            if (from >= successFrom && (success == null || success.hrefAt() >= from)) {
                return success;
            }
            successFrom = from;
            success = null;
            for (int h = from; h + 4 <= length; h++) {
                Anchor anchor = hrefAt(h);
                if (anchor != null) {
                    success = anchor;
                    break;
                }
            }
            return success;
        }

        /** The match of {@code href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))[^>]*>(.*?)</a\s*>} at {@code h}, if any. */
        private Anchor hrefAt(int h) {
            if (lower(html.charAt(h)) != 'h' || lower(html.charAt(h + 1)) != 'r' || lower(html.charAt(h + 2)) != 'e'
                    || lower(html.charAt(h + 3)) != 'f') {
                return null;
            }
            int i = skipSpaces(h + 4);
            if (i >= length || html.charAt(i) != '=') {
                return null;
            }
            int value = skipSpaces(i + 1);
            if (value >= length) {
                return null;
            }
            char first = html.charAt(value);
            if (first == '"' || first == '\'') {
                int alternative = first == '"' ? 0 : 1;
                int close = (first == '"' ? doubleQuote : singleQuote).from(value + 1);
                if (close >= 0) {
                    Anchor anchor = rest(h, html.substring(value + 1, close), close + 1, alternative);
                    if (anchor != null) {
                        return anchor;
                    }
                }
            }
            if (first == '>' || isRegexSpace(first)) {
                return null;
            }
            int end = runEnd.from(value);
            return rest(h, html.substring(value, end), end, 2);
        }

        /** {@code [^>]*>(.*?)</a\s*>} from {@code position}, looked up with the lookups of the given alternative. */
        private Anchor rest(int h, String href, int position, int alternative) {
            int open = tagEndAfter[alternative].from(position);
            if (open < 0) {
                return null;
            }
            int close = closeAfter[alternative].from(open + 1);
            if (close < 0) {
                return null;
            }
            return new Anchor(h, href, open + 1, close, html.indexOf('>', close) + 1);
        }

        /** The first {@code </a\s*>} (any case) starting at or after {@code position}, or -1. */
        private int closingTag(int position) {
            int at = position >= length ? -1 : html.indexOf('<', position);
            while (at >= 0) {
                if (at + 3 < length && html.charAt(at + 1) == '/' && lower(html.charAt(at + 2)) == 'a') {
                    int i = skipSpaces(at + 3);
                    if (i < length && html.charAt(i) == '>') {
                        return at;
                    }
                }
                at = html.indexOf('<', at + 1);
            }
            return -1;
        }

        private int skipSpaces(int position) {
            int i = position;
            while (i < length && isRegexSpace(html.charAt(i))) {
                i++;
            }
            return i;
        }

        private static char lower(char c) {
            return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
        }
    }

    /** {@code \s} of a regular expression without flags. */
    private static boolean isRegexSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r';
    }

    /**
     * The matches of {@link #URL}, in order. A match starts with {@code http://}, {@code https://} or {@code www.} in
     * any ASCII case: the pattern (its word boundary and end-of-URL rule) is tried only where a text holds one of them.
     */
    private static void bareUrls(String text, List<Link> links) {
        Matcher url = null;
        int length = text.length();
        int at = 0;
        while (at + 4 < length) {
            char c = text.charAt(at);
            if ((c == 'h' || c == 'H' || c == 'w' || c == 'W') && urlPrefixAt(text, at)) {
                if (url == null) {
                    url = URL.matcher(text).useTransparentBounds(true).useAnchoringBounds(false);
                }
                url.region(at, length);
                if (url.lookingAt()) {
                    links.add(new Link("", url.group()));
                    at = url.end();
                    continue;
                }
            }
            at++;
        }
    }

    private static boolean urlPrefixAt(String text, int at) {
        return text.regionMatches(true, at, "www.", 0, 4) || text.regionMatches(true, at, "http://", 0, 7)
            || text.regionMatches(true, at, "https://", 0, 8);
    }

    /** The first {@code max} characters of {@code text} (all of it when shorter). */
    static String head(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max);
    }

    /** Distinct host names (lower case) the links point to, in order of appearance. */
    public Set<String> linkHosts() {
        List<String> found = linkHosts;
        if (found == null) {
            Set<String> hosts = new LinkedHashSet<>();
            for (Link link : links()) {
                host(link.href()).ifPresent(hosts::add);
            }
            found = List.copyOf(hosts);
            linkHosts = found;
        }
        return new LinkedHashSet<>(found);
    }

    /** The host of a URL or of a bare {@code www.} / domain-looking string. */
    public static Optional<String> host(String url) {
        String rest = url.trim();
        int scheme = rest.indexOf("://");
        if (scheme >= 0) {
            String protocol = rest.substring(0, scheme).toLowerCase(Locale.ROOT);
            if (!protocol.equals("http") && !protocol.equals("https") && !protocol.equals("ftp")) {
                return Optional.empty();
            }
            rest = rest.substring(scheme + 3);
        } else if (rest.regionMatches(true, 0, "mailto:", 0, 7)) {
            return Optional.empty();
        }
        int end = rest.length();
        for (int i = 0; i < end; i++) {
            char c = rest.charAt(i);
            if (c == '/' || c == '?' || c == '#' || c == ':') {
                end = i;
            }
        }
        String host = rest.substring(0, end);
        int at = host.lastIndexOf('@');
        if (at >= 0) {
            host = host.substring(at + 1);
        }
        host = host.toLowerCase(Locale.ROOT);
        int length = host.length();
        while (length > 0 && host.charAt(length - 1) == '.') {
            length--;
        }
        host = host.substring(0, length);
        return isHostName(host) ? Optional.of(host) : Optional.empty();
    }

    /**
     * Whether a lower-case name is at least two dot-separated labels of {@code a-z 0-9 -}, none empty and none starting
     * or ending with {@code -} (the regular expression {@code [a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+}).
     */
    static boolean isHostName(String host) {
        int length = host.length();
        int labels = 0;
        int start = 0;
        for (int i = 0; i <= length; i++) {
            if (i == length || host.charAt(i) == '.') {
                if (i == start || host.charAt(start) == '-' || host.charAt(i - 1) == '-') {
                    return false;
                }
                labels++;
                start = i + 1;
            } else {
                char c = host.charAt(i);
                if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-')) {
                    return false;
                }
            }
        }
        return labels >= 2;
    }
}
