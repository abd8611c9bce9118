package io.portcullis.checks;

import java.util.List;
import java.util.Locale;

import org.apache.james.util.Size;
import org.apache.mailet.Mail;

import io.portcullis.config.Parameter;
import io.portcullis.scoring.Check;
import io.portcullis.scoring.CheckDefinition;
import io.portcullis.scoring.Finding;

/**
 * {@code check=size}: messages larger than {@code maxSize}. "message size 12.0 MB exceeds 10.0 MB: +20", rule
 * {@code smtp:oversized}. (Refusing oversized mail at SMTP time is the SMTP server's {@code maxmessagesize}.)
 */
public final class SizeCheck implements Check {
    public static final String RULE = "smtp:oversized";
    public static final CheckDefinition DEFINITION = new CheckDefinition("size",
        "Message size above a limit",
        List.of(
            Parameter.optional("maxSize", "10M", "size above which the message scores, e.g. 500K, 10M, 1G"),
            Parameter.optional("score", "20", "points when the message is larger than maxSize")),
        (parameters, environment) -> new SizeCheck(
            parameters.parsed("maxSize", v -> {
                long bytes = Size.parse(v).asBytes();
                if (bytes <= 0) {
                    throw new IllegalArgumentException("must be positive");
                }
                return bytes;
            }, "a size such as 500K, 10M or 1G"),
            parameters.integer("score", -1000, 1000)));

    private final long maxBytes;
    private final int score;

    public SizeCheck(long maxBytes, int score) {
        this.maxBytes = maxBytes;
        this.score = score;
    }

    @Override
    public List<Finding> evaluate(Mail mail) throws Exception {
        long size = mail.getMessageSize();
        if (size <= maxBytes) {
            return List.of();
        }
        return List.of(new Finding(score, "message size " + human(size) + " exceeds " + human(maxBytes), RULE));
    }

    static String human(long bytes) {
        if (bytes >= 1024L * 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f GB", bytes / (1024.0 * 1024 * 1024));
        }
        if (bytes >= 1024L * 1024) {
            return String.format(Locale.ROOT, "%.1f MB", bytes / (1024.0 * 1024));
        }
        if (bytes >= 1024L) {
            return String.format(Locale.ROOT, "%.1f KB", bytes / 1024.0);
        }
        return bytes + " bytes";
    }
}
