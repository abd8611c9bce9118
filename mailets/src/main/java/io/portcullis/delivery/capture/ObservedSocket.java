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
            conversation.connected(host, ip);
        } catch (IOException e) {
            conversation.connectFailed(host, ip, "Cannot connect to " + host + (endpoint instanceof InetSocketAddress inet ? ":" + inet.getPort() : "") + ": " + e.getMessage());
            throw e;
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
            out = new LineTapOutput(super.getOutputStream(), conversation::clientLine, conversation::inData);
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

    /** The client's lines, except the message content (after the server's 354), which is passed on untouched. */
    private static final class LineTapOutput extends FilterOutputStream {
        private final LineBuffer lines;
        private final java.util.function.BooleanSupplier content;

        LineTapOutput(OutputStream out, Consumer<byte[]> sink, java.util.function.BooleanSupplier content) {
            super(out);
            this.lines = new LineBuffer(sink);
            this.content = content;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            if (!content.getAsBoolean()) {
                lines.add(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            if (content.getAsBoolean()) {
                return;
            }
            for (int i = 0; i < len; i++) {
                lines.add(b[off + i] & 0xff);
            }
        }
    }
}
