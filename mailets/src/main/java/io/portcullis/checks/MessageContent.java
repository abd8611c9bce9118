package io.portcullis.checks;

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
    private static final int MAX_DEPTH = 20;
    private static final Map<MimeMessage, MessageContent> CACHE = Collections.synchronizedMap(new WeakHashMap<>());

    private static final Pattern ANCHOR = Pattern.compile("(?is)<a\\s[^>]*?href\\s*=\\s*(?:\"([^\"]*)\"|'([^']*)'|([^\\s>]+))[^>]*>(.*?)</a\\s*>");
    private static final Pattern URL = Pattern.compile("(?i)\\b(?:https?://|www\\.)[^\\s<>\"'()\\[\\]]+");
    private static final Pattern TAG = Pattern.compile("(?s)<[^>]*>");
    private static final Pattern HOST = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+");

    public record TextPart(String text, boolean html) {
    }

    public record Attachment(String filename, String contentType, byte[] content) {
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
            byte[] bytes = in.readNBytes(MAX_ATTACHMENT_BYTES);
            attachments.add(new Attachment(filename == null ? "" : filename, baseType(part), bytes));
        }
        if (text) {
            texts.add(new TextPart(readText(part), part.isMimeType("text/html")));
        }
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
            return new String(in.readNBytes(8 * MAX_ATTACHMENT_BYTES), StandardCharsets.UTF_8);
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
        for (TextPart part : texts) {
            builder.append(part.html() ? htmlToText(part.text()) : part.text()).append('\n');
        }
        return builder.toString();
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

    public static String htmlToText(String html) {
        String text = TAG.matcher(html).replaceAll(" ");
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
        for (TextPart part : texts) {
            String text = part.text();
            if (part.html()) {
                Matcher anchor = ANCHOR.matcher(text);
                while (anchor.find()) {
                    String href = Optional.ofNullable(anchor.group(1)).or(() -> Optional.ofNullable(anchor.group(2)))
                        .orElse(anchor.group(3));
                    links.add(new Link(htmlToText(anchor.group(4)).trim(), href.trim()));
                }
                text = htmlToText(text);
            }
            Matcher url = URL.matcher(text);
            while (url.find()) {
                links.add(new Link("", url.group()));
            }
        }
        return links;
    }

    /** Distinct host names (lower case) the links point to, in order of appearance. */
    public Set<String> linkHosts() {
        Set<String> hosts = new LinkedHashSet<>();
        for (Link link : links()) {
            host(link.href()).ifPresent(hosts::add);
        }
        return hosts;
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
        for (char stop : new char[] {'/', '?', '#', ':'}) {
            int index = rest.indexOf(stop);
            if (index >= 0 && index < end) {
                end = index;
            }
        }
        String host = rest.substring(0, end);
        int at = host.lastIndexOf('@');
        if (at >= 0) {
            host = host.substring(at + 1);
        }
        host = host.toLowerCase(Locale.ROOT);
        while (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        if (!HOST.matcher(host).matches()) {
            return Optional.empty();
        }
        return Optional.of(host);
    }
}
