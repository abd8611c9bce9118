package io.portcullis.checks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.mailet.Mail;

import io.portcullis.config.Parameter;
import io.portcullis.mail.PortcullisAttributes;
import io.portcullis.scoring.Check;
import io.portcullis.scoring.CheckDefinition;
import io.portcullis.scoring.Finding;
import io.portcullis.scoring.ScoreSheet;

/**
 * {@code check=attachments}: dangerous attachments, by name and by content (magic bytes), looking into ZIP archives
 * (their directory, read from the whole attachment, and archives inside them; see {@link ArchiveNames} for the caps).
 * Names are compared as the system that opens them sees them: case, compatibility forms, control and format
 * characters, trailing dots and spaces do not hide an extension ({@code EVIL.EXE.}, {@code evil.exe }).
 * <ul>
 *   <li>a dangerous type by name: "attachment setup.exe is a dangerous file type (.exe): +60", rule
 *       {@code spam:dangerousattachment};</li>
 *   <li>a dangerous type hidden behind a double extension: "attachment invoice.pdf.exe hides its type behind a
 *       double extension (.pdf.exe): +80", rule {@code spam:doubleextension};</li>
 *   <li>an executable whatever its name: "attachment report.pdf is a Windows executable by its content: +60";</li>
 *   <li>the EICAR anti-virus test file: "attachment eicar.com is the EICAR anti-virus test file: +1000", rule
 *       {@code threat:eicar}, and the {@code portcullis.threat} attribute set to {@code EICAR-Test-File} so the flow
 *       routes the message to the threat area ({@code io.portcullis.matchers.score.ThreatFound}).</li>
 * </ul>
 * This check runs even on mail an allow list accepted.
 */
public final class AttachmentCheck implements Check {
    public static final String RULE_DANGEROUS = "spam:dangerousattachment";
    public static final String RULE_DOUBLE_EXTENSION = "spam:doubleextension";
    public static final String RULE_EICAR = "threat:eicar";
    public static final String EICAR_THREAT = "EICAR-Test-File";
    /** The EICAR test string, assembled so that this class file does not itself look like the test file. */
    static final byte[] EICAR = ("X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + "EICAR-STANDARD-ANTIVIRUS" + "-TEST-FILE!$H+H*").getBytes(StandardCharsets.US_ASCII);
    static final String DEFAULT_EXTENSIONS = "exe,scr,pif,com,bat,cmd,cpl,msi,msp,dll,js,jse,vbs,vbe,wsf,wsh,hta,jar,ps1,lnk,reg,iso,img,vhd";

    public static final CheckDefinition DEFINITION = new CheckDefinition("attachments",
        "Dangerous attachments by name, double extension and content (executables, EICAR), also inside ZIP archives",
        List.of(
            Parameter.optional("score", "60", "points for an attachment of a dangerous type, by name or by content"),
            Parameter.optional("scoreDoubleExtension", "80", "points for a dangerous type hidden behind a double extension such as invoice.pdf.exe"),
            Parameter.optional("scoreThreat", "1000", "points for a known threat (the EICAR test file); the message is also marked with portcullis.threat"),
            Parameter.optional("extensions", DEFAULT_EXTENSIONS, "comma separated file extensions counted as dangerous")),
        (parameters, environment) -> new AttachmentCheck(
            parameters.list("extensions").stream().map(e -> e.toLowerCase(Locale.ROOT).replaceFirst("^\\.", "")).collect(Collectors.toSet()),
            parameters.integer("score", -1000, 10000), parameters.integer("scoreDoubleExtension", -1000, 10000),
            parameters.integer("scoreThreat", -1000, 10000)));

    private final Set<String> extensions;
    private final int score;
    private final int scoreDoubleExtension;
    private final int scoreThreat;

    public AttachmentCheck(Set<String> extensions, int score, int scoreDoubleExtension, int scoreThreat) {
        this.extensions = Set.copyOf(extensions);
        this.score = score;
        this.scoreDoubleExtension = scoreDoubleExtension;
        this.scoreThreat = scoreThreat;
    }

    @Override
    public List<Finding> evaluate(Mail mail) throws Exception {
        List<Finding> findings = new ArrayList<>();
        for (MessageContent.Attachment attachment : MessageContent.of(mail).attachments()) {
            String label = attachment.filename().isEmpty() ? "(unnamed " + attachment.contentType() + ")" : ArchiveNames.printable(attachment.filename());
            boolean threat = inspect(label, attachment.filename(), attachment.content(), findings, mail);
            if (!threat && attachment.archive() != null) {
                inspectArchive(label, attachment, findings, mail);
            }
        }
        return findings;
    }

    /** Returns whether a threat (EICAR) was found: nothing else is said about that file. */
    private boolean inspect(String label, String filename, byte[] content, List<Finding> findings, Mail mail) {
        if (contains(content, EICAR)) {
            ScoreSheet.setString(mail, PortcullisAttributes.THREAT, EICAR_THREAT);
            findings.add(new Finding(scoreThreat, "attachment " + label + " is the EICAR anti-virus test file", RULE_EICAR));
            return true;
        }
        String name = ArchiveNames.normalise(filename);
        Optional<String> byName = dangerousByName(name);
        Optional<String> doubleExtension = doubleExtension(name);
        if (doubleExtension.isPresent()) {
            findings.add(new Finding(scoreDoubleExtension, "attachment " + label + " hides its type behind a double extension (" + doubleExtension.get() + ")", RULE_DOUBLE_EXTENSION));
        } else if (byName.isPresent() && ArchiveNames.hasBidiControl(filename)) {
            findings.add(new Finding(scoreDoubleExtension, "attachment " + label + " hides its type (." + byName.get()
                + ") behind a right-to-left override character", RULE_DOUBLE_EXTENSION));
        } else if (byName.isPresent()) {
            findings.add(new Finding(score, "attachment " + label + " is a dangerous file type (." + byName.get() + ")", RULE_DANGEROUS));
        } else {
            Optional<String> kind = executableKind(content);
            if (kind.isPresent()) {
                findings.add(new Finding(score, "attachment " + label + " is " + kind.get() + " by its content", RULE_DANGEROUS));
            }
        }
        return false;
    }

    /**
     * The entries of a ZIP archive, from its directory ({@link ArchiveNames}: names, first bytes, nested archives, all
     * capped). An archive that cannot be read, or only in part, says so (+0); {@code DetectUnscannable} holds a
     * truncated or damaged archive as stalled before the checks run.
     */
    private void inspectArchive(String label, MessageContent.Attachment attachment, List<Finding> findings, Mail mail) {
        if (attachment.archiveCut()) {
            findings.add(Finding.couldNotRun("archive " + label + " is larger than " + (MessageContent.MAX_ARCHIVE_BYTES >> 20)
                + " MiB: its entries were not examined"));
            return;
        }
        ArchiveNames.Listing listing;
        try {
            listing = ArchiveNames.read(attachment.archive());
        } catch (IOException | RuntimeException e) {
            findings.add(Finding.couldNotRun("archive " + label + " could not be read: " + e.getMessage()));
            return;
        }
        for (ArchiveNames.Entry entry : listing.entries()) {
            inspect(ArchiveNames.printable(entry.name()) + " in " + label, entry.name(), entry.head(), findings, mail);
        }
        for (String problem : listing.problems()) {
            findings.add(Finding.couldNotRun("archive " + label + ": " + ArchiveNames.printable(problem)));
        }
    }

    /** The dangerous extension of a normalised name ({@link ArchiveNames#normalise}), if it has one. */
    private Optional<String> dangerousByName(String name) {
        int dot = name.lastIndexOf('.');
        if (dot < 0) {
            return Optional.empty();
        }
        String extension = name.substring(dot + 1).strip();
        return extensions.contains(extension) ? Optional.of(extension) : Optional.empty();
    }

    private Optional<String> doubleExtension(String name) {
        String[] parts = name.split("\\.");
        if (parts.length < 3) {
            return Optional.empty();
        }
        String last = parts[parts.length - 1].strip();
        String before = parts[parts.length - 2].strip();
        if (extensions.contains(last) && isShortExtension(before) && !extensions.contains(before)) {
            return Optional.of("." + before + "." + last);
        }
        return Optional.empty();
    }

    /** {@code [a-z0-9]{2,4}}. */
    private static boolean isShortExtension(String text) {
        if (text.length() < 2 || text.length() > 4) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9')) {
                return false;
            }
        }
        return true;
    }

    static Optional<String> executableKind(byte[] content) {
        if (startsWith(content, 'M', 'Z')) {
            return Optional.of("a Windows executable");
        }
        if (startsWith(content, 0x7f, 'E', 'L', 'F')) {
            return Optional.of("a Linux executable (ELF)");
        }
        if (startsWith(content, 0xcf, 0xfa, 0xed, 0xfe) || startsWith(content, 0xce, 0xfa, 0xed, 0xfe) || startsWith(content, 0xfe, 0xed, 0xfa, 0xce)) {
            return Optional.of("a macOS executable (Mach-O)");
        }
        if (startsWith(content, 0x4c, 0x00, 0x00, 0x00, 0x01, 0x14, 0x02, 0x00)) {
            return Optional.of("a Windows shortcut (LNK)");
        }
        if (startsWith(content, '#', '!')) {
            return Optional.of("a script");
        }
        return Optional.empty();
    }

    private static boolean startsWith(byte[] content, int... prefix) {
        if (content.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if ((content[i] & 0xff) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    static boolean contains(byte[] content, byte[] needle) {
        outer:
        for (int i = 0; i <= content.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (content[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
