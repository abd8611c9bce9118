package io.portcullis.checks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The rules of {@code conf/content-rules.conf}: one rule a line,
 * {@code <rule-name> <score> <where> <how> <pattern>}, {@code #} starts a comment.
 * <ul>
 *   <li>where: {@code body} (text as the reader sees it, HTML without tags), {@code rawbody} (bodies with HTML
 *       markup), {@code subject}, {@code header:<Name>} (every value of that header), {@code headers} (all
 *       header lines)</li>
 *   <li>how: {@code regex} (a Java regular expression; {@code (?i)} for case-insensitive) or {@code keywords}
 *       (comma separated words or phrases, case-insensitive, whole words)</li>
 * </ul>
 * A line that does not parse is an error naming the file and line: the server does not start with a broken
 * rule file.
 */
public final class ContentRules {
    /** How many characters of each text (body, raw body, headers, one header value) a rule reads. */
    public static final int MAX_TEXT = 1 << 20;
    private static final Pattern LINE = Pattern.compile("^(\\S+)\\s+(-?\\d+)\\s+(\\S+)\\s+(regex|keywords)\\s+(.+)$");

    /**
     * A rule. {@code literals}: for a keyword rule, the longest word of each keyword, case-folded (a text holding none of
     * them cannot match). {@code required}: for a regular expression, a run of plain characters every match contains,
     * case-folded, or empty when none can be derived (see {@link RequiredLiteral}).
     */
    public record Rule(String name, int score, String where, String how, Pattern pattern, String source, List<String> literals, String required) {
        /** What the rule matched in {@code text}, if anything. */
        public Optional<String> match(String text) {
            return match(new Text(text));
        }

        /**
         * What the rule matched in {@code text}, if anything. The pre-filters look for their literals in the case-folded
         * text (folded as the case-insensitive pattern compares characters, once per text however many rules read it):
         * a text holding none of a keyword rule's words, or not the run a regular expression needs, cannot match, and
         * the pattern is not run over it.
         */
        public Optional<String> match(Text text) {
            if (!literals.isEmpty()) {
                String folded = text.folded();
                boolean any = false;
                for (String literal : literals) {
                    if (folded.contains(literal)) {
                        any = true;
                        break;
                    }
                }
                if (!any) {
                    return Optional.empty();
                }
            }
            if (!required.isEmpty() && !text.folded().contains(required)) {
                return Optional.empty();
            }
            Matcher matcher = pattern.matcher(new InterruptibleText(text.text()));
            return matcher.find() ? Optional.of(matcher.group()) : Optional.empty();
        }
    }

    /**
     * A text the rules are matched against, with its case-folded form computed once, when a pre-filter first needs it.
     * Only its first {@value #MAX_TEXT} characters are kept: a rule reads no further into a body or the headers.
     */
    public static final class Text {
        private final String text;
        private String folded;

        public Text(String text) {
            this.text = text.length() > MAX_TEXT ? text.substring(0, MAX_TEXT) : text;
        }

        public String text() {
            return text;
        }

        String folded() {
            String result = folded;
            if (result == null) {
                result = fold(text);
                folded = result;
            }
            return result;
        }
    }

    /** Case folding as {@link Pattern#CASE_INSENSITIVE} with {@link Pattern#UNICODE_CASE} compares characters. */
    static String fold(String text) {
        char[] chars = text.toCharArray();
        for (int i = 0; i < chars.length; i++) {
            char c = chars[i];
            if (c < 0x80) {
                if (c >= 'A' && c <= 'Z') {
                    chars[i] = (char) (c + ('a' - 'A'));
                }
            } else {
                chars[i] = Character.toLowerCase(Character.toUpperCase(c));
            }
        }
        return new String(chars);
    }

    private final List<Rule> rules;

    private ContentRules(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    public List<Rule> rules() {
        return rules;
    }

    public static ContentRules parse(String source, List<String> lines) {
        List<Rule> rules = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String at = source + " line " + (i + 1) + ": ";
            Matcher matcher = LINE.matcher(line);
            if (!matcher.matches()) {
                throw new IllegalArgumentException(at + "expected '<rule-name> <score> <where> <regex|keywords> <pattern>', got '" + line + "'");
            }
            String where = matcher.group(3).toLowerCase(Locale.ROOT).startsWith("header:")
                ? "header:" + matcher.group(3).substring("header:".length())
                : matcher.group(3).toLowerCase(Locale.ROOT);
            if (!where.equals("body") && !where.equals("rawbody") && !where.equals("subject") && !where.equals("headers")
                    && !(where.startsWith("header:") && where.length() > "header:".length())) {
                throw new IllegalArgumentException(at + "where '" + matcher.group(3) + "' is not body, rawbody, subject, headers or header:<Name>");
            }
            String how = matcher.group(4);
            String text = matcher.group(5).strip();
            Pattern pattern;
            try {
                pattern = how.equals("regex") ? Pattern.compile(text) : keywords(text);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException(at + "invalid regular expression: " + e.getDescription() + " in '" + text + "'");
            }
            int score;
            try {
                score = Integer.parseInt(matcher.group(2));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(at + "score '" + matcher.group(2) + "' is not an integer");
            }
            boolean regex = how.equals("regex");
            rules.add(new Rule(matcher.group(1), score, where, how, pattern, text, regex ? List.of() : literals(text),
                regex ? RequiredLiteral.of(text) : ""));
        }
        return new ContentRules(rules);
    }

    /** The longest word of each keyword, case-folded: every match of the keyword contains it. */
    private static List<String> literals(String list) {
        List<String> literals = new ArrayList<>();
        for (String keyword : list.split(",")) {
            String longest = "";
            for (String word : keyword.strip().split("\\s+")) {
                if (word.length() > longest.length()) {
                    longest = word;
                }
            }
            if (!longest.isEmpty()) {
                literals.add(fold(longest));
            }
        }
        return List.copyOf(literals);
    }

    private static Pattern keywords(String list) {
        List<String> words = new ArrayList<>();
        for (String word : list.split(",")) {
            if (!word.isBlank()) {
                words.add("\\b" + Pattern.quote(word.strip()).replace(" ", "\\E\\s+\\Q") + "\\b");
            }
        }
        if (words.isEmpty()) {
            throw new IllegalArgumentException("empty keyword list");
        }
        return Pattern.compile(String.join("|", words), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
    }
}
