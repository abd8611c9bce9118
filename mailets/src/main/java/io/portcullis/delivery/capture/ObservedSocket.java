package io.portcullis.delivery.capture;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.util.function.Consumer;

/** A plain socket that shows its SMTP lines to a {@link SmtpConversation} (both directions, until TLS starts). */
final class ObservedSocket extends Socket {
    private final SmtpConversation conversation;
    private InputStream in;
    private OutputStream out;

    ObservedSocket(SmtpConversation conversation) {
        this.conversation = conversation;
    }

    @Override
    public void connect(SocketAddress endpoint, int timeout) throws IOException {
        String host = endpoint instanceof InetSocketAddress inet ? inet.getHostString() : String.valueOf(endpoint);
        String ip = endpoint instanceof InetSocketAddress inet && inet.getAddress() != null ? inet.getAddress().getHostAddress() : null;
        try {
            super.connect(endpoint, timeout);
            noDelay();
            conversation.connected(host, ip);
        } catch (IOException e) {
            conversation.connectFailed(host, ip, "Cannot connect to " + host + (endpoint instanceof InetSocketAddress inet ? ":" + inet.getPort() : "") + ": " + e.getMessage());
            throw e;
        }
    }

    /**
     * SMTP is a dialogue of short commands and replies: with Nagle's algorithm the last piece of the content (the end
     * of the data rides with it) waits until the receiving server acknowledges the piece before, and a receiver
     * delays that acknowledgement (40 ms on Linux). Measured on loopback under load: 36 ms (p50) from the end of the
     * content leaving to its reply being read, every delivery; under a millisecond without. That time also is the
     * window in which a crash makes the gateway deliver a message twice (see DeliveryJournal).
     */
    private void noDelay() {
        try {
            setTcpNoDelay(true);
        } catch (java.net.SocketException e) {
            // the socket keeps the default: slower, not wrong
        }
    }

    @Override
    public synchronized InputStream getInputStream() throws IOException {
        if (in == null) {
            in = new LineTap(super.getInputStream(), conversation::serverLine);
        }
        return in;
    }

    @Override
    public synchronized OutputStream getOutputStream() throws IOException {
        if (out == null) {
            out = new LineTapOutput(super.getOutputStream(), conversation::clientLine, conversation::inData, conversation::endOfContent);
        }
        return out;
    }

    private static final class LineBuffer {
        private final Consumer<byte[]> sink;
        private byte[] buffer = new byte[256];
        private int length;

        LineBuffer(Consumer<byte[]> sink) {
            this.sink = sink;
        }

        void add(int b) {
            if (b == '\n') {
                byte[] line = java.util.Arrays.copyOf(buffer, length);
                length = 0;
                sink.accept(line);
                return;
            }
            if (length < 4096) {
                if (length == buffer.length) {
                    buffer = java.util.Arrays.copyOf(buffer, buffer.length * 2);
                }
                buffer[length++] = (byte) b;
            }
        }
    }

    private static final class LineTap extends FilterInputStream {
        private final LineBuffer lines;

        LineTap(InputStream in, Consumer<byte[]> sink) {
            super(in);
            this.lines = new LineBuffer(sink);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                lines.add(b);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            for (int i = 0; i < n; i++) {
                lines.add(b[off + i] & 0xff);
            }
            return n;
        }
    }

    /**
     * The client's lines, except the message content (after the server's 354), which is passed on untouched but for
     * one look: the end of the content ({@code CRLF . CRLF}, the content being dot-stuffed) is announced before the
     * write that carries it reaches the socket.
     */
    private static final class LineTapOutput extends FilterOutputStream {
        /** The last four bytes of the end of content, CR LF . CR, packed (its LF completes it). */
        private static final int END_BUT_LAST = ('\r' << 24) | ('\n' << 16) | ('.' << 8) | '\r';
        private final LineBuffer lines;
        private final java.util.function.BooleanSupplier content;
        private final Runnable endOfContent;
        private boolean inContent;
        private int tail;

        LineTapOutput(OutputStream out, Consumer<byte[]> sink, java.util.function.BooleanSupplier content, Runnable endOfContent) {
            super(out);
            this.lines = new LineBuffer(sink);
            this.content = content;
            this.endOfContent = endOfContent;
        }

        /** Whether these bytes of content complete its end; the content starts at the beginning of a line. */
        private boolean ends(byte[] b, int off, int len) {
            if (!inContent) {
                inContent = true;
                tail = ('\r' << 8) | '\n';
            }
            boolean ends = false;
            for (int i = 0; i < len; i++) {
                int c = b[off + i] & 0xff;
                if (c == '\n' && tail == END_BUT_LAST) {
                    ends = true;
                }
                tail = (tail << 8) | c;
            }
            return ends;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (content.getAsBoolean()) {
                if (ends(b, off, len)) {
                    inContent = false;
                    endOfContent.run();
                }
                out.write(b, off, len);
                return;
            }
            inContent = false;
            out.write(b, off, len);
            for (int i = 0; i < len; i++) {
                lines.add(b[off + i] & 0xff);
            }
        }
    }
}
