package io.portcullis.delivery;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A remote server's reply split into its parts: {@code 550 5.1.1 <bob@acme.test>: Recipient address rejected}
 * gives code 550, enhanced code 5.1.1 and the text. Replies that carry the enhanced code at the end, such as
 * {@code 552 sorry, that message size exceeds my databytes limit (#5.3.4)}, are understood too.
 */
public record SmtpReply(Optional<Integer> code, Optional<String> enhancedCode, String text) {
    private static final Pattern LEADING = Pattern.compile("^\\s*(?:.*?:\\s*)??([2-5]\\d\\d)[ -](?:([2-5]\\.\\d{1,3}\\.\\d{1,3})\\s*)?(.*)$", Pattern.DOTALL);
    private static final Pattern TRAILING_ENHANCED = Pattern.compile("\\(#?([2-5]\\.\\d{1,3}\\.\\d{1,3})\\)");

    public static SmtpReply parse(String raw) {
        String value = raw == null ? "" : raw.trim();
        Matcher matcher = LEADING.matcher(value);
        if (matcher.matches()) {
            Optional<String> enhanced = Optional.ofNullable(matcher.group(2));
            String text = matcher.group(3).trim();
            if (enhanced.isEmpty()) {
                Matcher trailing = TRAILING_ENHANCED.matcher(text);
                if (trailing.find()) {
                    enhanced = Optional.of(trailing.group(1));
                }
            }
            return new SmtpReply(Optional.of(Integer.parseInt(matcher.group(1))), enhanced, text);
        }
        return new SmtpReply(Optional.empty(), Optional.empty(), value);
    }

    public boolean isPermanent() {
        return code.map(c -> c >= 500).orElse(false);
    }

    public boolean isTemporary() {
        return code.map(c -> c >= 400 && c < 500).orElse(false);
    }

    /** The reply as the remote server said it. */
    public String raw() {
        StringBuilder builder = new StringBuilder();
        code.ifPresent(c -> builder.append(c).append(' '));
        enhancedCode.ifPresent(e -> {
            if (!text.contains(e)) {
                builder.append(e).append(' ');
            }
        });
        return builder.append(text).toString().trim();
    }
}
