package io.portcullis.bench;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.portcullis.dns.TestDnsServer;

/**
 * The peer set-up of the load runs: a private Postfix instance with Rspamd as its milter (Debian packages
 * {@code postfix} and {@code rspamd}), relaying every message to a postfix smtp-sink on loopback like the gateway's
 * set-ups. Nothing under /etc is changed: both run from the stock configuration plus files in the instance's own
 * folder.
 * <ul>
 *   <li>Postfix: {@code postfix -c <dir>/postfix start-fg} with a main.cf of its own (queue, data and log under the
 *       folder, {@code relay_domains} = the load's recipient domain, {@code relayhost} = the sink, the milter), the
 *       stock master.cf with the SMTP service moved to a loopback port of the harness and no chroot (the chroot would
 *       need copies of /etc files in the queue folder).</li>
 *   <li>Rspamd: {@code rspamd -f -c /etc/rspamd/rspamd.conf --var=LOCAL_CONFDIR=<dir>/rspamd ...} (the stock
 *       configuration, workers as {@code _rspamd}), its proxy worker in milter mode (on a loopback port of the
 *       harness, or with {@code -DpeerMilter=unix} on a Unix socket in the folder), its normal worker and controller
 *       on loopback ports of the harness, its DNS on the harness's loopback DNS server. Stock rules, plus
 *       what the mix needs to get the gateway's verdicts: the mix's URI blocklist zone as a URL rule (7 points: add
 *       header, delivered) and that rule together with an SPF fail as a composite (+10: over the reject score of 15);
 *       SPF and DMARC checked for the loopback client as the gateway checks them; the reject action quarantines
 *       ({@code quarantine_on_reject}): Postfix holds the message in its hold queue and answers 250, the gateway's
 *       quarantine.</li>
 * </ul>
 * Processed = delivered by the sink + held in Postfix's hold queue; messages refused at DATA (milter-reject, should
 * the reject action refuse) are counted from Postfix's log. CPU is that of the two process trees (master and every
 * Postfix daemon, rspamd's main process and its workers), exited processes included ({@link ProcessStats#treeCpuSeconds}).
 */
public final class PeerMta implements LoadTarget {
    public static final String POSTFIX = "/usr/sbin/postfix";
    public static final String RSPAMD = "/usr/bin/rspamd";
    private static final String RSPAMD_USER = "_rspamd";
    private static final String STOCK_TLDS = "/usr/share/rspamd/effective_tld_names.dat";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path directory;
    private final TestDnsServer dns;
    private final SmtpSink sink;
    private final int smtpPort;
    private final int milterPort;
    private final boolean unixMilter = unixMilter();
    private final int normalPort;
    private final int controllerPort;
    private final HttpClient http = HttpClient.newHttpClient();
    private final AtomicLong peakRssKib = new AtomicLong();
    private Process rspamd;
    private Process postfix;
    private Thread sampler;

    private PeerMta(Path directory, TestDnsServer dns) throws IOException {
        this.directory = directory;
        this.dns = dns;
        this.sink = new SmtpSink(freePort());
        this.smtpPort = freePort();
        this.milterPort = freePort();
        this.normalPort = freePort();
        this.controllerPort = freePort();
    }

    /** Installs postfix and rspamd when missing (root only, {@code apt-get update} first); fails with what to do otherwise. */
    public static void ensureInstalled() throws IOException, InterruptedException {
        if (new File(POSTFIX).canExecute() && new File(RSPAMD).canExecute() && new File(PostfixTools.SOURCE).canExecute()) {
            return;
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new IllegalStateException(POSTFIX + " / " + RSPAMD + " are missing: run 'sudo apt-get install -y postfix rspamd' (Debian) "
                + "and retry as root, or leave the peer out (-Dsetups=baseline,full)");
        }
        System.out.println("Installing postfix and rspamd (the peer set-up) from Debian ...");
        PostfixTools.run(List.of("apt-get", "update"));
        PostfixTools.run(List.of("apt-get", "install", "-y", "--no-install-recommends", "postfix", "rspamd"));
        if (!new File(POSTFIX).canExecute() || !new File(RSPAMD).canExecute()) {
            throw new IllegalStateException("postfix and rspamd installed but " + POSTFIX + " or " + RSPAMD + " is still missing");
        }
    }

    /** Writes the instance's configuration under {@code directory} (not started). */
    public static PeerMta prepare(Path directory, TestDnsServer dns) throws IOException, InterruptedException {
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new IllegalStateException("the peer set-up runs a Postfix instance, which needs root: run as root or leave it out "
                + "(-Dsetups=baseline,full)");
        }
        // Postfix's and rspamd's unprivileged processes must reach their folders: the temporary folders are 0700.
        for (Path folder = directory; folder != null && folder.startsWith(directory.getParent()); folder = folder.getParent()) {
            Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        PeerMta peer = new PeerMta(directory, dns);
        peer.writeRspamdConfiguration();
        peer.writePostfixConfiguration();
        return peer;
    }

    private Path rspamdDirectory() {
        return directory.resolve("rspamd");
    }

    private Path postfixDirectory() {
        return directory.resolve("postfix");
    }

    private void writeRspamdConfiguration() throws IOException {
        Path conf = rspamdDirectory();
        Path local = Files.createDirectories(conf.resolve("local.d"));
        Path override = Files.createDirectories(conf.resolve("override.d"));
        for (String sub : List.of("db", "run", "log")) {
            Files.createDirectories(conf.resolve(sub));
        }
        // The stock list of top-level domains lacks the reserved ones the load mix uses (.example, .test): without
        // them rspamd finds no link in the messages, and so looks none up.
        Path tlds = conf.resolve("effective_tld_names.dat");
        Files.writeString(tlds, Files.readString(Path.of(STOCK_TLDS), StandardCharsets.UTF_8) + "\n// load mix\nexample\ntest\n", StandardCharsets.UTF_8);
        Files.writeString(local.resolve("options.inc"), "dns {\n  nameserver = [\"127.0.0.1:" + dns.port() + "\"];\n}\n"
            + "url_tld = \"" + tlds + "\";\n");
        String milterSocket = unixMilter ? milterSocketPath() + " mode=0666" : "127.0.0.1:" + milterPort;
        Files.writeString(override.resolve("worker-proxy.inc"), "bind_socket = \"" + milterSocket + "\";\n"
            + "milter = yes;\nquarantine_on_reject = true;\n"
            + "upstream \"local\" {\n  default = yes;\n  hosts = \"127.0.0.1:" + normalPort + "\";\n}\n");
        Files.writeString(override.resolve("worker-normal.inc"), "bind_socket = \"127.0.0.1:" + normalPort + "\";\n");
        Files.writeString(override.resolve("worker-controller.inc"), "bind_socket = \"127.0.0.1:" + controllerPort + "\";\n");
        Files.writeString(override.resolve("logging.inc"), "type = \"file\";\nfilename = \"" + conf.resolve("log/rspamd.log") + "\";\n");
        copyResource("rspamd-rbl.conf", local.resolve("rbl.conf"));
        copyResource("rspamd-rbl_group.conf", local.resolve("rbl_group.conf"));
        copyResource("rspamd-composites.conf", local.resolve("composites.conf"));
        Files.writeString(local.resolve("spf.conf"), "check_local = true;\n");
        Files.writeString(local.resolve("dmarc.conf"), "check_local = true;\n");
        chown(conf, RSPAMD_USER, RSPAMD_USER);
    }

    private void writePostfixConfiguration() throws IOException, InterruptedException {
        Path base = postfixDirectory();
        Path etc = Files.createDirectories(base.resolve("etc"));
        Files.createDirectories(base.resolve("spool"));
        Path data = Files.createDirectories(base.resolve("data"));
        String main = """
            compatibility_level = 3.6
            queue_directory = %1$s/spool
            data_directory = %1$s/data
            mail_owner = postfix
            setgid_group = postdrop
            myhostname = peer.load.example
            mydestination =
            mynetworks = 192.0.2.1/32
            relay_domains = %2$s
            relayhost = [127.0.0.1]:%3$d
            inet_interfaces = 127.0.0.1
            inet_protocols = ipv4
            maillog_file_prefixes = %1$s
            maillog_file = %1$s/maillog
            alias_maps =
            alias_database =
            biff = no
            smtpd_milters = %4$s
            milter_default_action = tempfail
            """.formatted(base, LoadMix.RECIPIENT_DOMAIN, sink.port(), unixMilter ? "unix:" + milterSocketPath() : "inet:127.0.0.1:" + milterPort);
        Files.writeString(etc.resolve("main.cf"), main);
        String master = Files.readString(Path.of("/etc/postfix/master.cf"));
        String moved = master.replaceFirst("(?m)^smtp\\s+inet\\s.*$", "127.0.0.1:" + smtpPort + " inet n - n - - smtpd");
        if (moved.equals(master)) {
            throw new IllegalStateException("/etc/postfix/master.cf has no 'smtp inet' service line to move to port " + smtpPort);
        }
        Files.writeString(etc.resolve("master.cf"), moved);
        PostfixTools.run(List.of("postconf", "-c", etc.toString(), "-F", "*/*/chroot = n"));
        chown(data, "postfix", "postfix");
    }

    /** Property {@code peerMilter}: {@code inet} (default) or {@code unix}. */
    private static boolean unixMilter() {
        String value = System.getProperty("peerMilter", "inet");
        if (!value.equals("inet") && !value.equals("unix")) {
            throw new IllegalArgumentException("peerMilter: '" + value + "' is neither inet nor unix");
        }
        return value.equals("unix");
    }

    private Path milterSocketPath() {
        return rspamdDirectory().resolve("run/milter.sock");
    }

    private static void copyResource(String name, Path target) throws IOException {
        try (InputStream in = PeerMta.class.getResourceAsStream("/bench/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource bench/" + name);
            }
            Files.write(target, in.readAllBytes());
        }
    }

    private static void chown(Path root, String user, String group) throws IOException {
        UserPrincipalLookupService lookup = root.getFileSystem().getUserPrincipalLookupService();
        UserPrincipal owner = lookup.lookupPrincipalByName(user);
        GroupPrincipal ownerGroup = lookup.lookupPrincipalByGroupName(group);
        try (Stream<Path> paths = Files.walk(root)) {
            for (Iterator<Path> it = paths.iterator(); it.hasNext(); ) {
                PosixFileAttributeView view = Files.getFileAttributeView(it.next(), PosixFileAttributeView.class);
                view.setOwner(owner);
                view.setGroup(ownerGroup);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /**
     * Starts the sink, rspamd (waits for its milter port and its controller, then for its regular expressions to be
     * compiled, at most {@code 3 min}), then Postfix (waits for its SMTP port).
     */
    public PeerMta start() throws Exception {
        sink.start();
        Path conf = rspamdDirectory();
        rspamd = new ProcessBuilder(RSPAMD, "-f", "-u", RSPAMD_USER, "-g", RSPAMD_USER, "-c", "/etc/rspamd/rspamd.conf",
            "--var=LOCAL_CONFDIR=" + conf, "--var=DBDIR=" + conf.resolve("db"), "--var=RUNDIR=" + conf.resolve("run"),
            "--var=LOGDIR=" + conf.resolve("log"))
            .directory(conf.toFile()).redirectErrorStream(true).redirectOutput(conf.resolve("log/stdout.txt").toFile()).start();
        Instant begin = Instant.now();
        if (unixMilter) {
            awaitPort(normalPort, rspamd, "rspamd's normal worker", Duration.ofMinutes(3));
        } else {
            awaitPort(milterPort, rspamd, "rspamd's proxy (milter)", Duration.ofMinutes(3));
        }
        awaitPort(controllerPort, rspamd, "rspamd's controller", Duration.ofMinutes(1));
        awaitRegexpCache(Duration.ofMinutes(3));
        System.out.printf("rspamd ready in %.1f s (milter %s, normal worker %d, controller %d)%n",
            Duration.between(begin, Instant.now()).toMillis() / 1000.0, unixMilter ? "unix:" + milterSocketPath() : "inet:127.0.0.1:" + milterPort,
            normalPort, controllerPort);
        Path etc = postfixDirectory().resolve("etc");
        postfix = new ProcessBuilder(POSTFIX, "-c", etc.toString(), "start-fg").redirectErrorStream(true)
            .redirectOutput(postfixDirectory().resolve("start-fg.txt").toFile()).start();
        awaitPort(smtpPort, postfix, "postfix's smtpd", Duration.ofMinutes(1));
        sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                peakRssKib.accumulateAndGet(pssKib(), Math::max);
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "peer-rss-sampler");
        sampler.setDaemon(true);
        sampler.start();
        return this;
    }

    private static void awaitPort(int port, Process process, String what, Duration timeout) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                if (!process.isAlive()) {
                    throw new IllegalStateException(what + " exited with " + process.exitValue() + " before listening on " + port);
                }
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException(what + " did not listen on 127.0.0.1:" + port + " within " + timeout);
    }

    /**
     * Rspamd compiles its regular expressions (hyperscan) in a helper process after start-up and the workers load them
     * when done; until then they match more slowly. Waits for the normal worker's log line saying it loaded them, or the
     * timeout (then runs anyway, and says so).
     */
    private void awaitRegexpCache(Duration timeout) throws Exception {
        Path log = rspamdDirectory().resolve("log/rspamd.log");
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (Files.exists(log)) {
                try (Stream<String> lines = Files.lines(log, StandardCharsets.ISO_8859_1)) {
                    if (lines.anyMatch(line -> line.contains("(normal)") && line.contains("hyperscan database"))) {
                        return;
                    }
                }
            }
            Thread.sleep(500);
        }
        System.out.println("rspamd: no sign of its regular expression cache being loaded after " + timeout + "; measuring anyway");
    }

    @Override
    public String name() {
        return "PEER";
    }

    @Override
    public int smtpPort() {
        return smtpPort;
    }

    @Override
    public long delivered() throws IOException {
        return sink.count();
    }

    /** Messages in Postfix's hold queue (rspamd's reject action, quarantined). */
    @Override
    public long held() throws IOException {
        Path hold = postfixDirectory().resolve("spool/hold");
        if (!Files.isDirectory(hold)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(hold)) {
            return files.filter(Files::isRegularFile).count();
        }
    }

    /** Messages Postfix refused at the end of DATA because the milter said reject (its log's milter-reject lines). */
    public long refused() throws IOException {
        Path log = postfixDirectory().resolve("maillog");
        if (!Files.exists(log)) {
            return 0;
        }
        try (Stream<String> lines = Files.lines(log, StandardCharsets.ISO_8859_1)) {
            return lines.filter(line -> line.contains("milter-reject: END-OF-MESSAGE")).count();
        }
    }

    @Override
    public Instant awaitAccounted(long expected, Duration timeout) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (delivered() + held() + refused() >= expected) {
                return Instant.now();
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("PEER: delivered " + delivered() + " + held " + held() + " + refused " + refused()
            + " did not reach " + expected + " within " + timeout);
    }

    @Override
    public double cpuSeconds() {
        return ProcessStats.treeCpuSeconds(postfix.pid()) + ProcessStats.treeCpuSeconds(rspamd.pid());
    }

    private long pssKib() {
        return (postfix == null ? 0 : ProcessStats.treePssKib(postfix.pid())) + (rspamd == null ? 0 : ProcessStats.treePssKib(rspamd.pid()));
    }

    /**
     * The highest resident memory of both process trees summed, sampled every 0.5 s since the start: proportional set
     * size (each shared page divided among the processes sharing it: rspamd's workers share most of their memory with
     * its main process, so a sum of their RSS would count it several times).
     */
    @Override
    public long peakRssMib() {
        return Math.max(peakRssKib.get(), pssKib()) / 1024;
    }

    /** Rspamd's counts of scanned messages by action (its controller's /stat). */
    public Map<String, Long> actions() throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + controllerPort + "/stat"))
            .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode stat = JSON.readTree(response.body());
        Map<String, Long> actions = new LinkedHashMap<>();
        actions.put("scanned", stat.path("scanned").asLong());
        stat.path("actions").fields().forEachRemaining(e -> actions.put(e.getKey(), e.getValue().asLong()));
        return actions;
    }

    @Override
    public String report() throws IOException, InterruptedException {
        List<String> lines = new ArrayList<>();
        lines.add(String.format("peer accounting: delivered %d (sink) + held %d (Postfix hold queue: rspamd's reject action, quarantined) "
            + "+ refused at DATA %d (milter-reject in Postfix's log); rspamd actions %s", delivered(), held(), refused(), actions()));
        Path log = postfixDirectory().resolve("maillog");
        if (Files.exists(log)) {
            try (Stream<String> all = Files.lines(log, StandardCharsets.ISO_8859_1)) {
                List<String> problems = all.filter(l -> l.contains("warning:") || l.contains("fatal:") || l.contains("error:")).toList();
                lines.add("Postfix log warnings/errors: " + problems.size());
                problems.stream().limit(5).forEach(p -> lines.add("  " + p));
            }
        }
        return String.join(System.lineSeparator(), lines);
    }

    @Override
    public void close() throws Exception {
        try {
            if (sampler != null) {
                sampler.interrupt();
            }
            if (postfix != null) {
                new ProcessBuilder(POSTFIX, "-c", postfixDirectory().resolve("etc").toString(), "stop").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
                if (!postfix.waitFor(30, TimeUnit.SECONDS)) {
                    postfix.descendants().forEach(ProcessHandle::destroyForcibly);
                    postfix.destroyForcibly();
                }
            }
            if (rspamd != null) {
                rspamd.destroy();
                if (!rspamd.waitFor(30, TimeUnit.SECONDS)) {
                    rspamd.descendants().forEach(ProcessHandle::destroyForcibly);
                    rspamd.destroyForcibly();
                }
            }
        } finally {
            sink.close();
        }
    }
}
