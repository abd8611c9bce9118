package io.portcullis.delivery.capture;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;

import javax.net.SocketFactory;

/**
 * Socket factory JavaMail uses for RemoteDelivery's connections when the mailet is given
 * {@code <mail.smtp.socketFactory.class>io.portcullis.delivery.capture.ObservingSocketFactory</mail.smtp.socketFactory.class>}:
 * each connection opens a {@link SmtpConversation} (server name and address, replies, TLS) for the Delivery log.
 * It only observes: bytes pass unchanged.
 */
public class ObservingSocketFactory extends SocketFactory {
    private static final ObservingSocketFactory INSTANCE = new ObservingSocketFactory();

    /** Called by JavaMail (by reflection). */
    public static SocketFactory getDefault() {
        return INSTANCE;
    }

    @Override
    public Socket createSocket() {
        return new ObservedSocket(ConversationCapture.open());
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port), null);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return connected(new InetSocketAddress(host, port), new InetSocketAddress(localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port), null);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return connected(new InetSocketAddress(address, port), new InetSocketAddress(localAddress, localPort));
    }

    /** An observed socket connected to {@code target}, bound first to {@code local} when given. */
    private Socket connected(InetSocketAddress target, InetSocketAddress local) throws IOException {
        Socket socket = createSocket();
        if (local != null) {
            socket.bind(local);
        }
        socket.connect(target);
        return socket;
    }
}
