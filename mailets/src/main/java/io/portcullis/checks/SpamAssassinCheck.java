package io.portcullis.checks;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.james.util.Size;
import org.apache.mailet.Mail;

import io.portcullis.config.Parameter;
import io.portcullis.scoring.Check;
import io.portcullis.scoring.CheckDefinition;
import io.portcullis.scoring.Finding;

/**
 * {@code check=spamassassin}: asks SpamAssassin's {@code spamd} (SPAMC/1.5 protocol, {@code SYMBOLS} command)
 * and maps its score to ours: points = SpamAssassin score × {@code multiplier}, rounded ("SpamAssassin scored 6.3
 * (its threshold 5.0; BAYES_99, URIBL_BLACK): +126", rule {@code spam:spamassassin}). Off unless configured. When
 * spamd cannot be reached or answers an error: "SpamAssassin at 127.0.0.1:783 could not be queried: connection
 * refused: +0", rule {@code check:tempfail}.
 */
public final class SpamAssassinCheck implements Check {
    public static final String RULE = "spam:spamassassin";
    public static final String RULE_SKIPPED = "check:skipped";
    private static final Pattern SPAM_HEADER = Pattern.compile("(?i)^Spam:\\s*(True|False|Yes|No)\\s*;\\s*(-?[0-9.]+)\\s*/\\s*(-?[0-9.]+)\\s*$");

    public static final CheckDefinition DEFINITION = new CheckDefinition("spamassassin",
        "SpamAssassin's spamd as an external engine, its score mapped to ours",
        List.of(
            Parameter.optional("host", "127.0.0.1", "host of spamd"),
            Parameter.optional("port", "783", "port of spamd; 1 to 65535"),
            Parameter.optional("timeout", "10s", "how long to wait for spamd's answer, e.g. 10s"),
            Parameter.optional("multiplier", "20", "our points per SpamAssassin point (20: SpamAssassin's 5.0 → 100, junk; 3.0 → 60, suspect); a decimal number"),
            Parameter.optional("maxSize", "500K", "larger messages are not sent to spamd (a +0 reason says so), as spamc does"),
            Parameter.optional("user", "", "the spamd user whose preferences apply (empty: spamd's default)")),
        (parameters, environment) -> {
            int port = parameters.integer("port", 1, 65535);
            Duration timeout = parameters.duration("timeout", ChronoUnit.SECONDS);
            if (timeout.isZero()) {
                throw parameters.invalid("timeout", parameters.string("timeout"), "a positive duration such as 10s");
            }
            BigDecimal multiplier = parameters.parsed("multiplier", BigDecimal::new, "a decimal number such as 20 or 12.5");
            long maxSize = parameters.parsed("maxSize", v -> Size.parse(v).asBytes(), "a size such as 500K or 2M");
            return new SpamAssassinCheck(parameters.string("host"), port, timeout, multiplier, maxSize, parameters.optionalString("user"));
        });

    private final String host;
    private final int port;
    private final Duration timeout;
    private final BigDecimal multiplier;
    private final long maxSize;
    private final Optional<String> user;

    public SpamAssassinCheck(String host, int port, Duration timeout, BigDecimal multiplier, long maxSize, Optional<String> user) {
        this.host = host;
        this.port = port;
        this.timeout = timeout;
        this.multiplier = multiplier;
        this.maxSize = maxSize;
        this.user = user;
    }

    /** What spamd said. */
    record Verdict(boolean spam, BigDecimal score, BigDecimal threshold, List<String> symbols) {
    }

    @Override
    public List<Finding> evaluate(Mail mail) throws Exception {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        mail.getMessage().writeTo(raw);
        if (raw.size() > maxSize) {
            return List.of(new Finding(0, "message of " + SizeCheck.human(raw.size()) + " not sent to SpamAssassin (limit "
                + SizeCheck.human(maxSize) + ")", RULE_SKIPPED));
        }
        Verdict verdict;
        try {
            verdict = ask(raw.toByteArray());
        } catch (SocketTimeoutException e) {
            return List.of(Finding.couldNotRun("SpamAssassin at " + host + ":" + port + " could not be queried: timeout"));
        } catch (IOException e) {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            return List.of(Finding.couldNotRun("SpamAssassin at " + host + ":" + port + " could not be queried: "
                + Character.toLowerCase(message.charAt(0)) + message.substring(1)));
        }
        int points = verdict.score().multiply(multiplier).setScale(0, RoundingMode.HALF_UP).intValueExact();
        if (points == 0) {
            return List.of();
        }
        String symbols = verdict.symbols().isEmpty() ? "" : "; " + String.join(", ", verdict.symbols());
        return List.of(new Finding(points, "SpamAssassin scored " + verdict.score().toPlainString() + " (its threshold "
            + verdict.threshold().toPlainString() + symbols + ")", RULE));
    }

    Verdict ask(byte[] message) throws IOException {
        try (Socket socket = new Socket()) {
            int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
            socket.connect(new InetSocketAddress(host, port), millis);
            socket.setSoTimeout(millis);
            OutputStream out = socket.getOutputStream();
            StringBuilder request = new StringBuilder("SYMBOLS SPAMC/1.5\r\nContent-length: ").append(message.length).append("\r\n");
            user.ifPresent(u -> request.append("User: ").append(u).append("\r\n"));
            request.append("\r\n");
            out.write(request.toString().getBytes(StandardCharsets.US_ASCII));
            out.write(message);
            out.flush();
            socket.shutdownOutput();
            return parse(socket.getInputStream().readAllBytes());
        }
    }

    static Verdict parse(byte[] response) throws IOException {
        String text = new String(response, StandardCharsets.UTF_8);
        String[] lines = text.split("\r?\n", -1);
        if (lines.length == 0 || !lines[0].startsWith("SPAMD/")) {
            throw new IOException("unexpected answer '" + (lines.length == 0 ? "" : lines[0]) + "'");
        }
        String[] status = lines[0].split("\\s+", 3);
        if (status.length < 2 || !status[1].equals("0")) {
            throw new IOException("spamd answered " + lines[0].trim());
        }
        Verdict verdict = null;
        int i = 1;
        for (; i < lines.length && !lines[i].isEmpty(); i++) {
            Matcher matcher = SPAM_HEADER.matcher(lines[i].trim());
            if (matcher.matches()) {
                boolean spam = matcher.group(1).equalsIgnoreCase("true") || matcher.group(1).equalsIgnoreCase("yes");
                verdict = new Verdict(spam, new BigDecimal(matcher.group(2)), new BigDecimal(matcher.group(3)), List.of());
            }
        }
        if (verdict == null) {
            throw new IOException("spamd's answer has no Spam header");
        }
        List<String> symbols = new ArrayList<>();
        for (i = i + 1; i < lines.length; i++) {
            for (String symbol : lines[i].split(",")) {
                if (!symbol.isBlank()) {
                    symbols.add(symbol.trim());
                }
            }
        }
        return new Verdict(verdict.spam(), verdict.score(), verdict.threshold(), symbols);
    }
}
