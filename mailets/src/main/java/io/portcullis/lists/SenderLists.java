package io.portcullis.lists;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Allow and block lists of senders, global or for one recipient, parsed from {@code conf/sender-lists.conf}:
 * one entry a line, {@code <scope> <allow|block> <sender>}.
 * <ul>
 *   <li>scope: {@code *} (every recipient) or a recipient address (that recipient's own list)</li>
 *   <li>sender: an address ({@code alice@partner.example}) or a whole domain ({@code @partner.example})</li>
 * </ul>
 */
public final class SenderLists {
    public static final String GLOBAL = "*";

    public record Entry(String scope, ListDecision decision, String pattern) {
        boolean matches(String address) {
            String lower = address.toLowerCase(Locale.ROOT);
            if (pattern.startsWith("@")) {
                String domain = pattern.substring(1);
                String addressDomain = lower.substring(lower.lastIndexOf('@') + 1);
                return addressDomain.equals(domain) || addressDomain.endsWith("." + domain);
            }
            return lower.equals(pattern);
        }

        boolean isGlobal() {
            return scope.equals(GLOBAL);
        }

        /** "the global block list" or "the allow list of bob@portcullis.test". */
        String listName() {
            return isGlobal() ? "the global " + decision.value() + " list" : "the " + decision.value() + " list of " + scope;
        }
    }

    private final List<Entry> entries;

    private SenderLists(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    public static SenderLists of(List<Entry> entries) {
        return new SenderLists(entries);
    }

    public List<Entry> entries() {
        return entries;
    }

    public static SenderLists parse(String source, List<String> lines) {
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String at = source + " line " + (i + 1) + ": ";
            String[] fields = line.split("\\s+");
            if (fields.length != 3) {
                throw new IllegalArgumentException(at + "expected '<* or recipient> <allow|block> <address or @domain>', got '" + line + "'");
            }
            String scope = fields[0].toLowerCase(Locale.ROOT);
            if (!scope.equals(GLOBAL) && !isAddress(scope)) {
                throw new IllegalArgumentException(at + "scope '" + fields[0] + "' is neither * nor a recipient address");
            }
            ListDecision decision = ListDecision.parse(fields[1])
                .orElseThrow(() -> new IllegalArgumentException(at + "'" + fields[1] + "' is neither allow nor block"));
            String pattern = fields[2].toLowerCase(Locale.ROOT);
            if (!(pattern.startsWith("@") && pattern.length() > 1 && !pattern.substring(1).contains("@")) && !isAddress(pattern)) {
                throw new IllegalArgumentException(at + "sender '" + fields[2] + "' is neither an address nor @domain");
            }
            entries.add(new Entry(scope, decision, pattern));
        }
        return new SenderLists(entries);
    }

    private static boolean isAddress(String value) {
        int at = value.indexOf('@');
        return at > 0 && at == value.lastIndexOf('@') && at < value.length() - 1;
    }

    /** The first block entry of the given scope matching one of the senders. */
    public Optional<Entry> findBlock(String scope, List<String> senders) {
        return first(scope, ListDecision.BLOCK, senders);
    }

    /** The first allow entry of the given scope matching one of the senders. */
    public Optional<Entry> findAllow(String scope, List<String> senders) {
        return first(scope, ListDecision.ALLOW, senders);
    }

    private Optional<Entry> first(String scope, ListDecision decision, List<String> senders) {
        for (Entry entry : entries) {
            if (entry.scope().equals(scope) && entry.decision() == decision && senders.stream().anyMatch(entry::matches)) {
                return Optional.of(entry);
            }
        }
        return Optional.empty();
    }

    /** The entry of the given scope matching one of the senders; a block entry wins over an allow entry. */
    public Optional<Entry> find(String scope, List<String> senders) {
        Optional<Entry> allow = Optional.empty();
        for (Entry entry : entries) {
            if (!entry.scope().equals(scope)) {
                continue;
            }
            for (String sender : senders) {
                if (entry.matches(sender)) {
                    if (entry.decision() == ListDecision.BLOCK) {
                        return Optional.of(entry);
                    }
                    allow = allow.or(() -> Optional.of(entry));
                }
            }
        }
        return allow;
    }
}
