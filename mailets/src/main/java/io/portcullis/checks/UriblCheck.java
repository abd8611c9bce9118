package io.portcullis.checks;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
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
 * {@code check=uribl}: looks the domains the body links to up in URI blocklists (registered domain, e.g.
 * {@code evil.example} for {@code http://www.evil.example/x}). Listed: "link domain evil.example is listed on
 * uribl.example (127.0.0.2): +40", rule {@code spam:uribllookup}. Each listed domain counts once per zone.
 */
public final class UriblCheck implements Check {
    public static final String RULE = "spam:uribllookup";
    public static final CheckDefinition DEFINITION = new CheckDefinition("uribl",
        "URI blocklists on the domains of the links in the body",
        List.of(
            Parameter.required("zones", "comma separated blocklist zones, each `zone`, `zone=score` or `zone[127.0.0.2|127.0.0.4]=score` (only the listed return codes count)"),
            Parameter.optional("score", "40", "points for a listing on a zone that gives no score of its own"),
            Parameter.optional("maxDomains", "20", "at most this many distinct link domains are looked up per message; 1 to 200")),
        (parameters, environment) -> {
            int score = parameters.integer("score", -1000, 1000);
            List<BlocklistZone> zones = parameters.parsed("zones", v -> BlocklistZone.parseAll(parameters.list("zones"), score),
                "comma separated zone, zone=score or zone[127.0.0.2|127.0.0.4]=score");
            if (zones.isEmpty()) {
                throw parameters.invalid("zones", parameters.string("zones"), "at least one zone");
            }
            return new UriblCheck(environment.dns(), zones, parameters.integer("maxDomains", 1, 200));
        });

    private final DnsLookupService dns;
    private final List<BlocklistZone> zones;
    private final int maxDomains;

    public UriblCheck(DnsLookupService dns, List<BlocklistZone> zones, int maxDomains) {
        this.dns = dns;
        this.zones = List.copyOf(zones);
        this.maxDomains = maxDomains;
    }

    @Override
    public List<Finding> evaluate(Mail mail) throws Exception {
        Set<String> domains = new LinkedHashSet<>();
        for (String host : MessageContent.of(mail).linkHosts()) {
            if (domains.size() >= maxDomains) {
                break;
            }
            domains.add(Domains.registeredDomain(host));
        }
        record Query(String domain, BlocklistZone zone, CompletableFuture<DnsAnswer> answer) {
        }
        List<Query> queries = new ArrayList<>();
        for (String domain : domains) {
            String name = InetAddresses.isInetAddress(domain) ? DnsblCheck.reverse(InetAddresses.forString(domain)) : domain;
            for (BlocklistZone zone : zones) {
                queries.add(new Query(domain, zone, dns.lookupAsync(name + "." + zone.zone(), Type.A)));
            }
        }
        List<Finding> findings = new ArrayList<>();
        for (Query query : queries) {
            DnsAnswer answer = dns.await(query.answer());
            if (answer.isFailed()) {
                findings.add(Finding.couldNotRun("URIBL " + query.zone().zone() + " could not be queried for " + query.domain() + ": " + answer.failure()));
            } else if (answer.isFound()) {
                List<String> counted = query.zone().counted(answer.records());
                if (!counted.isEmpty()) {
                    findings.add(new Finding(query.zone().score(), "link domain " + query.domain() + " is listed on "
                        + query.zone().zone() + " (" + String.join(", ", counted) + ")", RULE));
                }
            }
        }
        return findings;
    }
}
