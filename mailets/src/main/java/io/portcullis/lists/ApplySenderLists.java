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

import io.portcullis.config.MailetParameters;
import io.portcullis.config.ReloadingFile;
import io.portcullis.report.ReportStore;
import io.portcullis.config.Parameter;
import io.portcullis.scoring.Finding;
import io.portcullis.scoring.ScoreSheet;

/**
 * Applies the allow and block lists of {@code conf/sender-lists.conf} before scoring. The envelope sender and
 * the From header addresses are compared with the global list and with each recipient's own list:
 * <ol>
 *   <li>a global block entry blocks;</li>
 *   <li>else a global allow entry allows;</li>
 *   <li>else when every recipient's own list says the same (all block or all allow) that decides; when only some
 *       recipients' lists match, nothing is decided and a +0 reason records it.</li>
 * </ol>
 * A decision is recorded in {@code portcullis.listDecision} ({@code allow} / {@code block}) with a reason:
 * "sender spam@bulk.example is on the global block list (@bulk.example): +1000" (rule {@code spam:bannedsender})
 * or "sender boss@partner.example is on the global allow list (@partner.example): +0" (rule
 * {@code list:allowed}). Later {@code ScoreFilter}s skip decided mail, except {@code check=attachments}.
 */
public class ApplySenderLists extends GenericMailet {
    public static final String RULE_BLOCKED = "spam:bannedsender";
    public static final String RULE_ALLOWED = "list:allowed";
    public static final String RULE_PARTIAL = "list:partial";

    public static final List<Parameter> PARAMETERS = List.of(
        Parameter.optional("lists", "file://conf/sender-lists.conf", "the list file (James file URL: file://conf/... is relative to the server's directory)"),
        Parameter.optional("blockScore", "1000", "points added to a blocked message (1000 puts it over any junk threshold)"),
        Parameter.optional("allowScore", "0", "points added to an allowed message (e.g. -50)"));

    private final FileSystem fileSystem;
    private ReloadingFile<SenderLists> lists;
    private ReportStore reportStore;
    private int blockScore;
    private int allowScore;

    @Inject
    public ApplySenderLists(FileSystem fileSystem) {
        this.fileSystem = fileSystem;
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
        Optional<SenderLists.Entry> global = current.find(SenderLists.GLOBAL, senders);
        if (global.isPresent()) {
            decide(mail, global.get(), senders);
            return;
        }
        List<SenderLists.Entry> perRecipient = new ArrayList<>();
        for (MailAddress recipient : mail.getRecipients()) {
            String address = recipient.asString().toLowerCase(Locale.ROOT);
            Optional<SenderLists.Entry> entry = current.find(address, senders);
            if (entry.isEmpty()) {
                entry = allowedFromReports(mail, address, senders);
            }
            entry.ifPresent(perRecipient::add);
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
