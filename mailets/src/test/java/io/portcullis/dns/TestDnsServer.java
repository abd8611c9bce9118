package io.portcullis.dns;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * A real authoritative DNS server on 127.0.0.1 (UDP, a free port) answering from an in-test zone definition:
 * A, MX and TXT records (blocklist zones, SPF / DKIM / DMARC records), names answered with SERVFAIL, and names
 * never answered (the client times out). Built on dnsjava's wire format; one thread.
 */
public final class TestDnsServer implements AutoCloseable {
    private static final long TTL = 300;

    private final DatagramSocket socket;
    private final Thread thread;
    private final Map<Name, List<Record>> records = new ConcurrentHashMap<>();
    private final Set<Name> servfail = ConcurrentHashMap.newKeySet();
    private final Set<Name> silent = ConcurrentHashMap.newKeySet();
    private final Set<Name> silentZones = ConcurrentHashMap.newKeySet();
    private final List<String> queries = new CopyOnWriteArrayList<>();
    private volatile boolean running = true;

    private TestDnsServer() throws SocketException {
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        thread = new Thread(this::serve, "test-dns-" + socket.getLocalPort());
        thread.setDaemon(true);
        thread.start();
    }

    public static TestDnsServer start() throws SocketException {
        return new TestDnsServer();
    }

    public int port() {
        return socket.getLocalPort();
    }

    /** A lookup service pointed at this server, without cache, with a short timeout. */
    public DnsLookupService lookupService() {
        return new DnsLookupService(DnsConfiguration.server("127.0.0.1", port(), Duration.ofMillis(700)));
    }

    /** The names queried so far, as "TYPE name." */
    public List<String> queries() {
        return List.copyOf(queries);
    }

    public TestDnsServer a(String name, String address) {
        try {
            return add(new ARecord(name(name), DClass.IN, TTL, InetAddress.getByName(address)));
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    public TestDnsServer mx(String name, int priority, String exchange) {
        return add(new MXRecord(name(name), DClass.IN, TTL, priority, name(exchange)));
    }

    /** A TXT record; text longer than 255 characters is split into several strings, as DNS requires. */
    public TestDnsServer txt(String name, String text) {
        List<String> strings = new ArrayList<>();
        for (int i = 0; i < text.length(); i += 255) {
            strings.add(text.substring(i, Math.min(text.length(), i + 255)));
        }
        return add(new TXTRecord(name(name), DClass.IN, TTL, strings));
    }

    /** Queries for this name get SERVFAIL. */
    public TestDnsServer servfail(String name) {
        servfail.add(name(name));
        return this;
    }

    /** Queries for this name are never answered. */
    public TestDnsServer silent(String name) {
        silent.add(name(name));
        return this;
    }

    /** Queries for this name and every name below it are never answered (a zone whose servers drop queries). */
    public TestDnsServer silentZone(String zone) {
        silentZones.add(name(zone));
        return this;
    }

    private TestDnsServer add(Record record) {
        records.computeIfAbsent(record.getName(), n -> new CopyOnWriteArrayList<>()).add(record);
        return this;
    }

    private static Name name(String name) {
        try {
            return Name.fromString(name.endsWith(".") ? name : name + ".");
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private void serve() {
        byte[] buffer = new byte[4096];
        while (running) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
                Message query = new Message(java.util.Arrays.copyOf(packet.getData(), packet.getLength()));
                byte[] response = answer(query);
                if (response != null) {
                    socket.send(new DatagramPacket(response, response.length, packet.getSocketAddress()));
                }
            } catch (IOException e) {
                if (!running) {
                    return;
                }
            }
        }
    }

    private byte[] answer(Message query) {
        Record question = query.getQuestion();
        Name qname = question.getName();
        queries.add(Type.string(question.getType()) + " " + qname.toString().toLowerCase(Locale.ROOT));
        if (silent.contains(qname) || silentZones.stream().anyMatch(qname::subdomain)) {
            return null;
        }
        Message response = new Message(query.getHeader().getID());
        response.getHeader().setFlag(Flags.QR);
        response.getHeader().setFlag(Flags.AA);
        if (query.getHeader().getFlag(Flags.RD)) {
            response.getHeader().setFlag(Flags.RD);
        }
        response.addRecord(question, Section.QUESTION);
        if (servfail.contains(qname)) {
            response.getHeader().setRcode(Rcode.SERVFAIL);
            return response.toWire();
        }
        List<Record> atName = records.get(qname);
        if (atName == null) {
            response.getHeader().setRcode(hasDescendant(qname) ? Rcode.NOERROR : Rcode.NXDOMAIN);
        } else {
            Set<Record> added = new HashSet<>();
            for (Record record : atName) {
                if (record.getType() == question.getType() && added.add(record)) {
                    response.addRecord(record, Section.ANSWER);
                }
            }
        }
        OPTRecord opt = query.getOPT();
        int max = 512;
        if (opt != null) {
            response.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
            max = Math.max(512, opt.getPayloadSize());
        }
        return response.toWire(max);
    }

    private boolean hasDescendant(Name name) {
        return records.keySet().stream().anyMatch(n -> n.subdomain(name) && !n.equals(name));
    }

    @Override
    public void close() {
        running = false;
        socket.close();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
