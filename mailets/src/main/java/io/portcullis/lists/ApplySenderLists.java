package io.portcullis.lists;

import java.io.File;
import java.io.IOException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import javax.inject.Inject;
import javax.mail.MessagingException;
import javax.mail.internet.InternetAddress;

import org.apache.james.core.MailAddress;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;

import io.portcullis.checks.DkimEvaluator;
import io.portcullis.checks.Domains;
import io.portcullis.checks.SpfEvaluator;
import io.portcullis.config.MailetParameters;
import io.portcullis.config.ReloadingFile;
import io.portcullis.report.ReportStore;
import io.portcullis.config.Parameter;
import io.portcullis.direction.Direction;
import io.portcullis.dns.DnsLookupService;
import io.portcullis.scoring.Finding;
import io.portcullis.scoring.ScoreSheet;

/**
 * Applies the allow and block lists of {@code conf/sender-lists.conf}, after the SPF, DKIM and DMARC checks and
 * before the other checks. The envelope sender and the From header addresses are compared with the global list
 * and with each recipient's own list:
 * <ol>
 *   <li>a global block entry matching any of them blocks;</li>
 *   <li>else a global allow entry allows, but only when it matches an authenticated sender: the envelope sender
 *       with an SPF pass for its domain, or the From address (a message with exactly one) with a verified DKIM
 *       signature or an SPF pass aligned with its domain; mail of authenticated users and relay networks needs
 *       nothing more. An allow entry matching only unauthenticated senders decides nothing: "sender
 *       boss@partner.example is on the global allow list (@partner.example) but the From header does not name
 *       exactly one address: allow not applied: +0" (rule {@code list:unverified});</li>
 *   <li>else when every recipient's own list says the same (all block or all allow) that decides; when only some
 *       recipients' lists match, nothing is decided and a +0 reason records it.</li>
 * </ol>
 * A decision is recorded in {@code portcullis.listDecision} ({@code allow} / {@code block}) with a reason:
 * "sender spam@bulk.example is on the global block list (@bulk.example): +1000" (rule {@code spam:bannedsender})
 * or "sender boss@partner.example is on the global allow list (@partner.example): +0" (rule
 * {@code list:allowed}). Later {@code ScoreFilter}s skip what the decision spares ({@link ListDecision#skips}):
 * blocked mail is only checked for threats; allowed mail skips the reputation checks, never the content.
 * SPF and DKIM results recorded by earlier filters are reused; without them they are evaluated here.
 */
public class ApplySenderLists extends GenericMailet {
    public static final String RULE_BLOCKED = "spam:bannedsender";
    public static final String RULE_ALLOWED = "list:allowed";
    public static final String RULE_PARTIAL = "list:partial";
    public static final String RULE_UNVERIFIED = "list:unverified";

    public static final List<Parameter> PARAMETERS = List.of(
        Parameter.optional("lists", "file://conf/sender-lists.conf", "the list file (James file URL: file://conf/... is relative to the server's directory)"),
        Parameter.optional("blockScore", "1000", "points added to a blocked message (1000 puts it over any junk threshold)"),
        Parameter.optional("allowScore", "0", "points added to an allowed message (e.g. -50)"));

    private final FileSystem fileSystem;
    private final SpfEvaluator spfEvaluator;
    private final DkimEvaluator dkimEvaluator;
    private ReloadingFile<SenderLists> lists;
    private ReportStore reportStore;
    private int blockScore;
    private int allowScore;

    @Inject
    public ApplySenderLists(FileSystem fileSystem, DnsLookupService dns) {
        this.fileSystem = fileSystem;
        this.spfEvaluator = new SpfEvaluator(dns);
        this.dkimEvaluator = new DkimEvaluator(dns);
    }

    /**
     * The senders users chose to "always allow" from their quarantine reports (per recipient), when the report
     * capability is installed; without it only the list file applies.
     */
    @com.google.inject.Inject(optional = true)
    public void setReportAllowList(ReportStore reportStore) {
        this.reportStore = reportStore;
    }

    @Override
    public void init() throws MessagingException {
        MailetParameters parameters = MailetParameters.parse(getMailetConfig(), PARAMETERS);
        blockScore = parameters.integer("blockScore", -10000, 10000);
        allowScore = parameters.integer("allowScore", -10000, 10000);
        String location = parameters.string("lists");
        File file;
        try {
            file = fileSystem.getFile(location);
        } catch (IOException e) {
            throw parameters.invalid("lists", location, "an existing list file (" + e.getMessage() + ")");
        }
        try {
            lists = ReloadingFile.load(file, "sender lists", SenderLists::parse);
        } catch (IOException | IllegalArgumentException e) {
            throw parameters.invalid("lists", location, "a valid list file: " + e.getMessage());
        }
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        SenderLists current = lists.current();
        lists.reloadError().ifPresent(error ->
            ScoreSheet.add(mail, Finding.couldNotRun("sender lists file could not be reloaded, previous lists used: " + error)));
        List<String> senders = senders(mail);
        if (senders.isEmpty()) {
            return;
        }
        Identities identities = new Identities(mail);
        Optional<SenderLists.Entry> global = resolve(mail, current, SenderLists.GLOBAL, senders, identities, Optional.empty());
        if (global.isPresent()) {
            decide(mail, global.get(), senders);
            return;
        }
        List<SenderLists.Entry> perRecipient = new ArrayList<>();
        for (MailAddress recipient : mail.getRecipients()) {
            String address = recipient.asString().toLowerCase(Locale.ROOT);
            resolve(mail, current, address, senders, identities, Optional.of(address)).ifPresent(perRecipient::add);
        }
        if (perRecipient.isEmpty()) {
            return;
        }
        Set<ListDecision> decisions = new LinkedHashSet<>();
        perRecipient.forEach(entry -> decisions.add(entry.decision()));
        if (perRecipient.size() == mail.getRecipients().size() && decisions.size() == 1) {
            decide(mail, perRecipient.get(0), senders);
            return;
        }
        for (SenderLists.Entry entry : perRecipient) {
            ScoreSheet.add(mail, new Finding(0, "sender " + matching(entry, senders) + " is on " + entry.listName() + " ("
                + entry.pattern() + ") but not every recipient's list decides the same: no decision", RULE_PARTIAL));
        }
    }

    /**
     * The entry that decides for one list: a block entry matching any sender (envelope or From, no authentication
     * needed); else an allow entry matching an authenticated identity. An allow entry that only matches a sender
     * no authentication confirms decides nothing and says so in a +0 reason.
     */
    private Optional<SenderLists.Entry> resolve(Mail mail, SenderLists current, String scope, List<String> senders, Identities identities,
            Optional<String> recipient) throws MessagingException {
        Optional<SenderLists.Entry> block = current.findBlock(scope, senders);
        if (block.isPresent()) {
            return block;
        }
        Optional<SenderLists.Entry> allow = current.findAllow(scope, senders);
        if (allow.isEmpty() && recipient.isPresent()) {
            allow = allowedFromReports(mail, recipient.get(), senders);
        }
        if (allow.isEmpty()) {
            return Optional.empty();
        }
        List<String> authenticated = identities.authenticated();
        Optional<SenderLists.Entry> confirmed = current.findAllow(scope, authenticated);
        if (confirmed.isEmpty() && recipient.isPresent() && allow.get().pattern().indexOf('@') > 0
                && authenticated.contains(allow.get().pattern())) {
            confirmed = allow;
        }
        if (confirmed.isPresent()) {
            return confirmed;
        }
        SenderLists.Entry entry = allow.get();
        ScoreSheet.add(mail, new Finding(0, "sender " + matching(entry, senders) + " is on " + entry.listName() + " (" + entry.pattern()
            + ") but " + identities.whyNot(matching(entry, senders)) + ": allow not applied", RULE_UNVERIFIED));
        return Optional.empty();
    }

    /**
     * The senders an allow entry may match: on mail from the Internet, the envelope sender when SPF passes for its
     * domain, and the From address (only when the message has exactly one) when a verified DKIM signature or
     * the SPF pass is aligned with its domain (relaxed DMARC alignment: what a DMARC pass needs at least). Mail
     * of authenticated users and relay networks needs no more than its session, nor does mail a mailet of the
     * gateway itself sent (its notices and delivery status notifications).
     */
    private final class Identities {
        private final Mail mail;
        private List<String> authenticated;
        private Optional<String> singleFrom;

        Identities(Mail mail) {
            this.mail = mail;
        }

        List<String> authenticated() throws MessagingException {
            if (authenticated != null) {
                return authenticated;
            }
            List<String> result = new ArrayList<>();
            Optional<String> envelope = mail.getMaybeSender().asOptional().map(sender -> sender.asString().toLowerCase(Locale.ROOT));
            Optional<String> from = singleFrom();
            boolean sentByGateway = mail.getAttribute(Mail.SENT_BY_MAILET_ATTRIBUTE.getName()).isPresent();
            if (sentByGateway || Direction.of(mail).orElseGet(() -> Direction.detect(mail)) == Direction.OUTBOUND) {
                envelope.ifPresent(result::add);
                from.ifPresent(result::add);
                authenticated = result;
                return result;
            }
            SpfEvaluator.Outcome spf = spfEvaluator.outcome(mail);
            boolean spfPass = spf.result().equals("pass");
            envelope.filter(address -> spfPass && Domains.domainOf(address).map(spf.domain()::equals).orElse(false)).ifPresent(result::add);
            if (from.isPresent()) {
                String fromDomain = Domains.domainOf(from.get()).orElse("");
                boolean spfAligned = spfPass && Domains.aligned(spf.domain(), fromDomain, false);
                if (spfAligned || dkimAligned(fromDomain)) {
                    result.add(from.get());
                }
            }
            authenticated = result;
            return result;
        }

        private boolean dkimAligned(String fromDomain) {
            try {
                return dkimEvaluator.outcome(mail).domains().stream().anyMatch(domain -> Domains.aligned(domain, fromDomain, false));
            } catch (Exception e) {
                ScoreSheet.add(mail, Finding.couldNotRun("DKIM could not be checked for the allow lists: " + e.getMessage()));
                return false;
            }
        }

        /** The From address when the message has exactly one From header naming exactly one address. */
        Optional<String> singleFrom() throws MessagingException {
            if (singleFrom == null) {
                String[] headers = mail.getMessage().getHeader("From");
                List<String> addresses = headers == null || headers.length != 1 ? List.of() : Domains.addresses(headers[0]);
                singleFrom = addresses.size() == 1 ? Optional.of(addresses.get(0)) : Optional.empty();
            }
            return singleFrom;
        }

        String whyNot(String sender) throws MessagingException {
            boolean isEnvelope = mail.getMaybeSender().asOptional().map(s -> s.asString().equalsIgnoreCase(sender)).orElse(false);
            if (!isEnvelope && singleFrom().isEmpty()) {
                return "the From header does not name exactly one address";
            }
            return isEnvelope ? "SPF does not pass for its domain" : "neither SPF, DKIM nor DMARC confirms its domain";
        }
    }

    /** A sender the recipient chose to "always allow" from a quarantine report, as a per-recipient allow entry. */
    private Optional<SenderLists.Entry> allowedFromReports(Mail mail, String recipient, List<String> senders) {
        if (reportStore == null) {
            return Optional.empty();
        }
        try {
            for (String sender : senders) {
                if (reportStore.isAllowed(recipient, sender)) {
                    return Optional.of(new SenderLists.Entry(recipient, ListDecision.ALLOW, sender));
                }
            }
        } catch (SQLException e) {
            ScoreSheet.add(mail, Finding.couldNotRun("allow list of " + recipient + " (from quarantine reports) could not be read: " + e.getMessage()));
        }
        return Optional.empty();
    }

    private void decide(Mail mail, SenderLists.Entry entry, List<String> senders) {
        String reason = "sender " + matching(entry, senders) + " is on " + entry.listName() + " (" + entry.pattern() + ")";
        if (entry.decision() == ListDecision.BLOCK) {
            ScoreSheet.add(mail, new Finding(blockScore, reason, RULE_BLOCKED));
        } else {
            ScoreSheet.add(mail, new Finding(allowScore, reason, RULE_ALLOWED));
        }
        mail.setAttribute(entry.decision().asAttribute());
    }

    private static String matching(SenderLists.Entry entry, List<String> senders) {
        return senders.stream().filter(entry::matches).findFirst().orElse(senders.get(0));
    }

    private static List<String> senders(Mail mail) throws MessagingException {
        Set<String> senders = new LinkedHashSet<>();
        mail.getMaybeSender().asOptional().ifPresent(sender -> senders.add(sender.asString().toLowerCase(Locale.ROOT)));
        String[] from = mail.getMessage().getHeader("From");
        if (from != null) {
            for (String header : from) {
                try {
                    for (InternetAddress address : InternetAddress.parseHeader(header, false)) {
                        if (address.getAddress() != null) {
                            senders.add(address.getAddress().toLowerCase(Locale.ROOT));
                        }
                    }
                } catch (javax.mail.internet.AddressException e) {
                    // an unparsable From header matches no list entry
                }
            }
        }
        return new ArrayList<>(senders);
    }

    @Override
    public String getMailetInfo() {
        return "Portcullis ApplySenderLists";
    }
}
