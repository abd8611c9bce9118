package io.portcullis.delivery.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * {@link ObservedSocket} on a real loopback connection: the end of the content is announced before the bytes that
 * carry it leave, whatever the writes it is split across, and never for a dot-stuffed line of the content.
 */
class ObservedSocketTest {
    /** Plays a receiving server; notes, for each line it reads after the 354, whether the end of content had been announced. */
    private static List<String> converse(SmtpConversation conversation, List<byte[]> contentWrites) throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> serving = CompletableFuture.runAsync(() -> {
                try (Socket socket = server.accept()) {
                    java.io.InputStream in = socket.getInputStream();
                    Writer out = new java.io.OutputStreamWriter(socket.getOutputStream(), StandardCharsets.US_ASCII);
                    out.write("220 sink ESMTP\r\n");
                    out.flush();
                    line(in); // DATA
                    out.write("354 go ahead\r\n");
                    out.flush();
                    String line;
                    while ((line = line(in)) != null) {
                        seen.add(line + " -> " + conversation.endOfContentSent());
                        if (line.equals(".")) {
                            out.write("250 2.0.0 Ok: queued as 1B\r\n");
                            out.flush();
                            break;
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (ObservedSocket socket = new ObservedSocket(conversation)) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()), 5_000);
                assertThat(socket.getTcpNoDelay()).as("Nagle's algorithm off").isTrue();
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
                OutputStream out = socket.getOutputStream();
                in.readLine();
                out.write("DATA\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertThat(in.readLine()).startsWith("354");
                for (byte[] write : contentWrites) {
                    if (write.length == 1) {
                        out.write(write[0]);
                    } else {
                        out.write(write);
                    }
                    out.flush();
                    Thread.sleep(20); // each write on its own: the server reads (and notes) what arrived before the next
                }
                assertThat(in.readLine()).startsWith("250");
            }
            serving.get(10, TimeUnit.SECONDS);
        }
        return seen;
    }

    /** A line as an SMTP server reads it: ended by LF only (a CR alone ends nothing). */
    private static String line(java.io.InputStream in) throws java.io.IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                return null;
            }
            line.append((char) c);
        }
        return line.toString().replace("\r", "");
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void theEndOfContentShouldBeAnnouncedBeforeItIsSentAndNotBefore() throws Exception {
        SmtpConversation conversation = new SmtpConversation("mail-1", Instant.EPOCH);

        List<String> seen = converse(conversation, List.of(ascii("Subject: dots\r\n\r\n..stuffed line\r\n"),
            ascii(".."), ascii("\r\n"), ascii("last line\r\n"), ascii("."), ascii("\r"), ascii("\n")));

        assertThat(seen).containsExactly("Subject: dots -> false", " -> false", "..stuffed line -> false", ".. -> false",
            "last line -> false", ". -> true");
        assertThat(conversation.successReply().orElseThrow().raw()).isEqualTo("250 2.0.0 Ok: queued as 1B");
    }

    @Test
    void anEndOfContentInTheSameWriteAsTheContentShouldBeAnnouncedBeforeTheWrite() throws Exception {
        SmtpConversation conversation = new SmtpConversation("mail-2", Instant.EPOCH);

        List<String> seen = converse(conversation, List.of(ascii("Subject: one write\r\n\r\nbody\r\n.\r\n")));

        // the whole write left after the announcement: even its first line finds it made
        assertThat(seen).containsExactly("Subject: one write -> true", " -> true", "body -> true", ". -> true");
    }
}
