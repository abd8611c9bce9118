package io.portcullis.delivery;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.subethamail.smtp.DropConnectionException;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.server.SMTPServer;

/**
 * A real SMTP server on loopback (SubEtha SMTP) as the downstream ("corporate") server of the delivery tests, whose
 * replies a test scripts per command: {@link #mail}, {@link #rcpt} and {@link #data} each take the replies of their
 * successive commands ({@link Reply#ok()}, a {@link Reply#reply 4xx or 5xx}, a {@link Reply#after slow} or
 * {@link Reply#silent() silent} reply, a {@link Reply#drop dropped connection}); the last one given answers every
 * later command. Without a script every command is accepted.
 *
 * <p>{@link #start()} listens on the port given at construction and {@link #stop()} closes it and forgets the
 * script, so one instance serves a whole test class: each test starts it with its script, a test that needs the
 * downstream unreachable leaves it stopped. What the server received is read with {@link #messages()} (accepted
 * transactions, as text) and {@link #contents()} (every content whose end was read, whatever the reply).
 *
 * <pre>{@code
 * ScriptedSmtpServer downstream = new ScriptedSmtpServer(port);
 * downstream.rcpt(Reply.reply(450, "4.3.0 Error: command failed"), Reply.ok()).start();
 * }</pre>
 */
public final class ScriptedSmtpServer implements AutoCloseable {
    private final int port;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final List<String> contents = new CopyOnWriteArrayList<>();
    private volatile Script mailScript = Script.ACCEPT;
    private volatile Script rcptScript = Script.ACCEPT;
    private volatile Script dataScript = Script.ACCEPT;
    private volatile CountDownLatch released = new CountDownLatch(1);
    private SMTPServer server;

    /** A server that will listen on {@code port} of 127.0.0.1 once started. */
    public ScriptedSmtpServer(int port) {
        this.port = port;
    }

    /** A server on a free port of 127.0.0.1, not started. */
    public static ScriptedSmtpServer onFreePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return new ScriptedSmtpServer(socket.getLocalPort());
        }
    }

    /** The replies to successive {@code MAIL FROM} commands (over all connections). */
    public ScriptedSmtpServer mail(Reply... replies) {
        mailScript = new Script(replies);
        return this;
    }

    /** The replies to successive {@code RCPT TO} commands (over all connections). */
    public ScriptedSmtpServer rcpt(Reply... replies) {
        rcptScript = new Script(replies);
        return this;
    }

    /** The replies to successive ends of content (after {@code DATA}'s final dot, over all connections). */
    public ScriptedSmtpServer data(Reply... replies) {
        dataScript = new Script(replies);
        return this;
    }

    /** Starts listening (again, after a {@link #stop()}) with the script set so far. */
    public synchronized ScriptedSmtpServer start() {
        if (server != null) {
            throw new IllegalStateException("the downstream on port " + port + " is already started");
        }
        released = new CountDownLatch(1);
        server = SMTPServer.port(port)
            .bindAddress(InetAddress.getLoopbackAddress())
            .hostName("downstream.test")
            .insertReceivedHeaders(false)
            .messageHandlerFactory(Transaction::new)
            .build();
        server.start();
        return this;
    }

    /** Stops listening (silent replies end with a dropped connection) and resets the script to accept everything. */
    public synchronized void stop() {
        released.countDown();
        if (server != null) {
            server.stop();
            server = null;
        }
        mailScript = Script.ACCEPT;
        rcptScript = Script.ACCEPT;
        dataScript = Script.ACCEPT;
    }

    /** The accepted transactions so far, oldest first. */
    public List<Received> received() {
        return List.copyOf(received);
    }

    /** The accepted transactions so far as text: the envelope ({@code MAIL FROM:<…>}, {@code RCPT TO:<…>} lines), a blank line, the content. */
    public List<String> messages() {
        return received.stream().map(Received::text).toList();
    }

    /** How many transactions were accepted so far. */
    public long count() {
        return received.size();
    }

    /** Every content whose end the server read so far, oldest first, whatever the reply it then gave (or did not). */
    public List<String> contents() {
        return List.copyOf(contents);
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        stop();
    }

    /** One accepted transaction. */
    public record Received(String sender, List<String> recipients, String content) {
        public String text() {
            StringBuilder text = new StringBuilder("MAIL FROM:<").append(sender).append(">\r\n");
            recipients.forEach(recipient -> text.append("RCPT TO:<").append(recipient).append(">\r\n"));
            return text.append("\r\n").append(content).toString();
        }
    }

    /** How the server answers one command. */
    public static final class Reply {
        private final int code;
        private final String text;
        private final Duration delay;
        private final boolean silent;
        private final boolean drop;

        private Reply(int code, String text, Duration delay, boolean silent, boolean drop) {
            this.code = code;
            this.text = Objects.requireNonNull(text);
            this.delay = delay;
            this.silent = silent;
            this.drop = drop;
        }

        /** {@code 250 2.0.0 Ok}. */
        public static Reply ok() {
            return new Reply(250, "2.0.0 Ok", Duration.ZERO, false, false);
        }

        /** A reply with this code and text (e.g. {@code 450, "4.3.0 Error: command failed"}); below 400 it accepts. */
        public static Reply reply(int code, String text) {
            if (code < 200 || code > 599) {
                throw new IllegalArgumentException("reply code " + code + " is not 2xx to 5xx");
            }
            return new Reply(code, text, Duration.ZERO, false, false);
        }

        /** This reply, sent {@code delay} late. */
        public static Reply after(Duration delay, Reply reply) {
            return new Reply(reply.code, reply.text, delay, reply.silent, reply.drop);
        }

        /** No reply at all while the server runs (the client waits for its own timeout); {@link #stop()} drops the connection. */
        public static Reply silent() {
            return new Reply(421, "4.4.2 downstream.test closing connection", Duration.ZERO, true, true);
        }

        /** Sends this reply and closes the connection. */
        public static Reply drop(int code, String text) {
            return new Reply(code, text, Duration.ZERO, false, true);
        }

        /** Waits as scripted; returns normally to accept, throws the refusal otherwise. */
        void answer(CountDownLatch released) throws RejectException {
            try {
                if (silent) {
                    released.await();
                } else if (!delay.isZero() && released.await(delay.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new DropConnectionException(421, "4.4.2 downstream.test stopping");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DropConnectionException(421, "4.4.2 downstream.test stopping");
            }
            if (drop) {
                throw new DropConnectionException(code, text);
            }
            if (code >= 400) {
                throw new RejectException(code, text);
            }
        }

        @Override
        public String toString() {
            return code + " " + text + (silent ? " (silent)" : "") + (drop ? " (drop)" : "") + (delay.isZero() ? "" : " after " + delay);
        }
    }

    /** The replies of one command, used in turn; the last one repeats. */
    private static final class Script {
        static final Script ACCEPT = new Script(new Reply[] {Reply.ok()});

        private final List<Reply> replies;
        private final AtomicInteger used = new AtomicInteger();

        Script(Reply[] replies) {
            if (replies.length == 0) {
                throw new IllegalArgumentException("a script needs at least one reply");
            }
            this.replies = List.of(replies);
        }

        Reply next() {
            return replies.get(Math.min(used.getAndIncrement(), replies.size() - 1));
        }
    }

    /** One SMTP transaction, answered as scripted. */
    private final class Transaction implements MessageHandler {
        private final CountDownLatch releasedAtStart = released;
        private String sender;
        private final List<String> recipients = new ArrayList<>();

        Transaction(MessageContext context) {
        }

        @Override
        public void from(String from) throws RejectException {
            mailScript.next().answer(releasedAtStart);
            sender = from;
        }

        @Override
        public void recipient(String recipient) throws RejectException {
            rcptScript.next().answer(releasedAtStart);
            recipients.add(recipient);
        }

        @Override
        public String data(InputStream data) throws RejectException, IOException {
            ByteArrayOutputStream content = new ByteArrayOutputStream();
            data.transferTo(content);
            String text = content.toString(StandardCharsets.ISO_8859_1);
            contents.add(text);
            Reply reply = dataScript.next();
            reply.answer(releasedAtStart);
            received.add(new Received(sender, List.copyOf(recipients), text));
            return reply.code == 250 ? reply.text : null;
        }

        @Override
        public void done() {
        }
    }
}
