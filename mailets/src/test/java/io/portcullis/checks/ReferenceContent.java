package io.portcullis.checks;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The regular-expression implementation of the content views as it stood before the scanners replaced it (links, tag stripping,
 * host names, keyword folding, link-text domains), kept in the tests as the oracle the faster scanners of
 * {@link MessageContent}, {@link ContentRules} and {@link PhishingCheck} must agree with on every input, and as the
 * "old" side of {@link ContentChecksBenchmark}.
 */
final class ReferenceContent {
    static final Pattern ANCHOR = Pattern.compile("(?is)<a\\s[^>]*?href\\s*=\\s*(?:\"([^\"]*)\"|'([^']*)'|([^\\s>]+))[^>]*>(.*?)</a\\s*>");
    static final Pattern URL = Pattern.compile("(?i)\\b(?:https?://|www\\.)[^\\s<>\"'()\\[\\]]+");
    static final Pattern TAG = Pattern.compile("(?s)<[^>]*>");
    static final Pattern HOST = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+");
    static final Pattern DOMAIN_IN_TEXT = Pattern.compile(
        "(?i)^(?:https?://)?((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\\.)+[a-z]{2,})(?:[/:?#].*)?$");

    static final Pattern ADDRESS = Pattern.compile("[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}");

    private ReferenceContent() {
    }

    static String htmlToText(String html) {
        String text = TAG.matcher(html).replaceAll(" ");
        return text.replace("&nbsp;", " ").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"");
    }

    static String bodyText(List<MessageContent.TextPart> texts) {
        StringBuilder builder = new StringBuilder();
        for (MessageContent.TextPart part : texts) {
            builder.append(part.html() ? htmlToText(part.text()) : part.text()).append('\n');
        }
        return builder.toString();
    }

    static List<MessageContent.Link> links(List<MessageContent.TextPart> texts) {
        List<MessageContent.Link> links = new ArrayList<>();
        for (MessageContent.TextPart part : texts) {
            String text = part.text();
            if (part.html()) {
                Matcher anchor = ANCHOR.matcher(text);
                while (anchor.find()) {
                    String href = Optional.ofNullable(anchor.group(1)).or(() -> Optional.ofNullable(anchor.group(2)))
                        .orElse(anchor.group(3));
                    links.add(new MessageContent.Link(htmlToText(anchor.group(4)).trim(), href.trim()));
                }
                text = htmlToText(text);
            }
            Matcher url = URL.matcher(text);
            while (url.find()) {
                links.add(new MessageContent.Link("", url.group()));
            }
        }
        return links;
    }

    static Set<String> linkHosts(List<MessageContent.TextPart> texts) {
        return hosts(links(texts));
    }

    static Set<String> hosts(List<MessageContent.Link> links) {
        Set<String> hosts = new LinkedHashSet<>();
        for (MessageContent.Link link : links) {
            host(link.href()).ifPresent(hosts::add);
        }
        return hosts;
    }

    static Optional<String> host(String url) {
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

    static String fold(String text) {
        char[] chars = text.toCharArray();
        for (int i = 0; i < chars.length; i++) {
            chars[i] = Character.toLowerCase(Character.toUpperCase(chars[i]));
        }
        return new String(chars);
    }

    /** What a rule matched, as {@code ContentRules.Rule.match} computed it: the whole pattern run over the text. */
    static Optional<String> match(Pattern pattern, String text) {
        Matcher matcher = pattern.matcher(text);
        return matcher.find() ? Optional.of(matcher.group()) : Optional.empty();
    }

    /** The domain a link text shows (PhishingCheck), lower case, if it shows one. */
    static Optional<String> domainInText(String text) {
        Matcher shown = DOMAIN_IN_TEXT.matcher(text.trim());
        return shown.matches() ? Optional.of(shown.group(1).toLowerCase(Locale.ROOT)) : Optional.empty();
    }

    /** The first address in a display name (PhishingCheck), as the expression found it. */
    static Optional<String> addressInName(String name) {
        Matcher address = ADDRESS.matcher(name);
        return address.find() ? Optional.of(address.group()) : Optional.empty();
    }
}
