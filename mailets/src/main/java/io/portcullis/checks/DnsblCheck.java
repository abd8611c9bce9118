package io.portcullis.checks;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.apache.mailet.Mail;
import org.xbill.DNS.Type;

import com.google.common.net.InetAddresses;

import io.portcullis.config.Parameter;
import io.portcullis.dns.DnsAnswer;
import io.portcullis.dns.DnsLookupService;
import io.portcullis.scoring.Check;
import io.portcullis.scoring.CheckDefinition;
import io.portcullis.scoring.Finding;

/**
 * {@code check=dnsbl}: looks the connecting server's IP address up in DNS blocklists (all zones queried in
 * parallel). Listed: "sender's server 192.0.2.7 is listed on bl.example (127.0.0.2): +40", rule
 * {@code spam:rbllookup}.
 */
public final class DnsblCheck implements Check {
    public static final String RULE = "spam:rbllookup";
    public static final CheckDefinition DEFINITION = new CheckDefinition("dnsbl",
        "DNS blocklists on the connecting server's IP address",
        List.of(
            Parameter.required("zones", "comma separated blocklist zones, each `zone`, `zone=score` or `zone[127.0.0.2|127.0.0.4]=score` (only the listed return codes count)"),
            Parameter.optional("score", "40", "points for a listing on a zone that gives no score of its own")),
        (parameters, environment) -> {
            int score = parameters.integer("score", -1000, 1000);
            List<BlocklistZone> zones = parameters.parsed("zones", v -> BlocklistZone.parseAll(parameters.list("zones"), score),
                "comma separated zone, zone=score or zone[127.0.0.2|127.0.0.4]=score");
            if (zones.isEmpty()) {
                throw parameters.invalid("zones", parameters.string("zones"), "at least one zone");
            }
            return new DnsblCheck(environment.dns(), zones);
        });

    private final DnsLookupService dns;
    private final List<BlocklistZone> zones;

    public DnsblCheck(DnsLookupService dns, List<BlocklistZone> zones) {
        this.dns = dns;
        this.zones = List.copyOf(zones);
    }

    @Override
    public List<Finding> evaluate(Mail mail) {
        String address = mail.getRemoteAddr();
        if (address == null || !InetAddresses.isInetAddress(address)) {
            return List.of(Finding.couldNotRun("DNSBL check skipped: the connecting address '" + address + "' is not an IP address"));
        }
        String reversed = reverse(InetAddresses.forString(address));
        List<CompletableFuture<DnsAnswer>> answers = new ArrayList<>();
        for (BlocklistZone zone : zones) {
            answers.add(dns.lookupAsync(reversed + "." + zone.zone(), Type.A));
        }
        List<Finding> findings = new ArrayList<>();
        for (int i = 0; i < zones.size(); i++) {
            BlocklistZone zone = zones.get(i);
            DnsAnswer answer = dns.await(answers.get(i));
            if (answer.isFailed()) {
                findings.add(Finding.couldNotRun("DNSBL " + zone.zone() + " could not be queried: " + answer.failure()));
            } else if (answer.isFound()) {
                List<String> counted = zone.counted(answer.records());
                if (!counted.isEmpty()) {
                    findings.add(new Finding(zone.score(),
                        "sender's server " + address + " is listed on " + zone.zone() + " (" + String.join(", ", counted) + ")", RULE));
                }
            }
        }
        return findings;
    }

    /** 192.0.2.7 → 7.2.0.192; IPv6 → reversed nibbles. */
    static String reverse(InetAddress address) {
        byte[] bytes = address.getAddress();
        StringBuilder builder = new StringBuilder();
        if (address instanceof Inet4Address) {
            for (int i = bytes.length - 1; i >= 0; i--) {
                builder.append(bytes[i] & 0xff);
                if (i > 0) {
                    builder.append('.');
                }
            }
        } else if (address instanceof Inet6Address) {
            for (int i = bytes.length - 1; i >= 0; i--) {
                builder.append(Character.forDigit(bytes[i] & 0x0f, 16)).append('.')
                    .append(Character.forDigit((bytes[i] >> 4) & 0x0f, 16));
                if (i > 0) {
                    builder.append('.');
                }
            }
        }
        return builder.toString();
    }
}
