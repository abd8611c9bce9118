package io.portcullis.delivery.capture;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.portcullis.delivery.DeliveryAttempt;
import io.portcullis.delivery.SmtpReply;

/**
 * What was seen of one SMTP connection made by RemoteDelivery: the server connected to, the replies it gave
 * (until TLS starts: after STARTTLS the conversation is encrypted and its replies cannot be read here), and
 * whether TLS was negotiated. Fed by {@link ObservedSocket}; read by the queue decorator and the delivery mailets.
 */
public final class SmtpConversation {
    /** One reply and the command it answered ("DATA-END" for the reply to the message content). */
    public record Exchange(String command, String reply) {
    }

    /** Said instead of a reply that went through TLS: never invented. */
    public static final String NOT_OBSERVED = "reply not observed (conversation encrypted by STARTTLS)";

    private final String mailName;
    private final Instant startedAt;
    private volatile String host;
    private volatile String ip;
    private volatile boolean tls;
    private volatile String connectError;
    private final List<Exchange> exchanges = new ArrayList<>();
    private String lastCommand = "CONNECT";
    private volatile boolean inData;
    private boolean startTlsRequested;
    private boolean opaque;
    private final StringBuilder multiline = new StringBuilder();

    SmtpConversation(String mailName, Instant startedAt) {
        this.mailName = mailName;
        this.startedAt = startedAt;
    }

    public String mailName() {
        return mailName;
    }

    public Instant startedAt() {
        return startedAt;
    }

    public Optional<String> host() {
        return Optional.ofNullable(host);
    }

    public Optional<String> ip() {
        return Optional.ofNullable(ip);
    }

    public DeliveryAttempt.Tls tls() {
        return tls ? DeliveryAttempt.Tls.YES : DeliveryAttempt.Tls.NO;
    }

    public Optional<String> connectError() {
        return Optional.ofNullable(connectError);
    }

    public synchronized List<Exchange> exchanges() {
        return List.copyOf(exchanges);
    }

    void connected(String host, String ip) {
        this.host = host;
        this.ip = ip;
    }

    void connectFailed(String host, String ip, String error) {
        this.host = host;
        this.ip = ip;
        this.connectError = error;
    }

    synchronized void clientLine(byte[] line) {
        if (opaque || inData) {
            return;
        }
        String command = new String(line, StandardCharsets.US_ASCII).trim();
        String upper = command.toUpperCase(java.util.Locale.ROOT);
        if (upper.startsWith("AUTH")) {
            command = "AUTH";
        }
        lastCommand = command;
        if (upper.equals("STARTTLS")) {
            startTlsRequested = true;
        }
    }

    synchronized void serverLine(byte[] line) {
        if (opaque) {
            return;
        }
        String text = new String(line, StandardCharsets.UTF_8).replace("\r", "").replace("\n", "");
        if (text.length() < 3) {
            return;
        }
        boolean last = text.length() == 3 || text.charAt(3) == ' ';
        if (!last) {
            multiline.append(text, Math.min(4, text.length()), text.length()).append(' ');
            return;
        }
        String reply = text;
        if (multiline.length() > 0) {
            reply = text.substring(0, 3) + " " + multiline + text.substring(Math.min(4, text.length()));
            multiline.setLength(0);
        }
        String command = inData && !reply.startsWith("354") ? "DATA-END" : lastCommand;
        exchanges.add(new Exchange(command, reply.trim()));
        if (reply.startsWith("354")) {
            inData = true;
        } else if (inData) {
            inData = false;
            lastCommand = "DATA-END";
            if (reply.startsWith("2")) {
                // accepted: journal the receipt before the client even reads this reply
                ObservedMailQueueFactory.contentAccepted(this);
            } else {
                ObservedMailQueueFactory.contentRefused(this);
            }
        }
        if (startTlsRequested && reply.startsWith("220")) {
            tls = true;
            opaque = true;
        }
    }

    /** The addresses of the RCPT TO commands the server accepted (2xx), as sent. */
    public synchronized List<String> acceptedRecipients() {
        List<String> accepted = new java.util.ArrayList<>();
        for (Exchange exchange : exchanges) {
            String command = exchange.command();
            if (command.regionMatches(true, 0, "RCPT TO:", 0, 8) && exchange.reply().startsWith("2")) {
                int open = command.indexOf('<');
                int close = command.indexOf('>', open + 1);
                accepted.add(open >= 0 && close > open ? command.substring(open + 1, close) : command.substring(8).trim());
            }
        }
        return accepted;
    }

    private volatile boolean endOfContentSent;

    /**
     * The client is about to send the end of the content (the line with a single dot): called before those bytes
     * reach the socket, so that a crash from here on is known after the restart.
     */
    void endOfContent() {
        endOfContentSent = true;
        ObservedMailQueueFactory.contentEnding(this);
    }

    /** Whether the end of the content was (about to be) sent on this connection. */
    boolean endOfContentSent() {
        return endOfContentSent;
    }

    /** Between the server's 354 and its reply to the end of the content: the client is sending the message. */
    boolean inData() {
        return inData;
    }

    synchronized void dataCommandSent() {
        // the DATA command itself is a client line; the content follows the 354 reply
    }

    /** The reply that decided a failed or deferred attempt: the last 4xx/5xx, else the connection error. */
    public synchronized Optional<SmtpReply> failureReply() {
        for (int i = exchanges.size() - 1; i >= 0; i--) {
            SmtpReply reply = SmtpReply.parse(exchanges.get(i).reply());
            if (reply.code().map(code -> code >= 400).orElse(false)) {
                return Optional.of(reply);
            }
        }
        if (opaque) {
            return Optional.of(new SmtpReply(Optional.empty(), Optional.empty(), NOT_OBSERVED));
        }
        return connectError().map(error -> new SmtpReply(Optional.empty(), Optional.empty(), error));
    }

    /** The reply to the message content (e.g. {@code 250 2.0.0 Ok: queued as 4F2}), else the last 2xx. */
    public synchronized Optional<SmtpReply> successReply() {
        if (opaque) {
            return Optional.of(new SmtpReply(Optional.empty(), Optional.empty(), "accepted; " + NOT_OBSERVED));
        }
        for (int i = exchanges.size() - 1; i >= 0; i--) {
            if (exchanges.get(i).command().equals("DATA-END")) {
                return Optional.of(SmtpReply.parse(exchanges.get(i).reply()));
            }
        }
        for (int i = exchanges.size() - 1; i >= 0; i--) {
            String reply = exchanges.get(i).reply();
            if (reply.startsWith("2") && !reply.startsWith("221")) {
                return Optional.of(SmtpReply.parse(reply));
            }
        }
        return Optional.empty();
    }
}
