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
    private static final Pattern LINE = Pattern.compile("^(\\S+)\\s+(-?\\d+)\\s+(\\S+)\\s+(regex|keywords)\\s+(.+)$");

    public record Rule(String name, int score, String where, String how, Pattern pattern, String source, List<String> literals) {
        /**
         * What the rule matched in {@code text}, if anything. A keyword rule first looks for the longest word of each
         * keyword as a plain substring of the case-folded text (as the case-insensitive pattern folds it): a body
         * holding none of them cannot match, and the alternation of the pattern is not run over it.
         */
        public Optional<String> match(String text) {
            if (!literals.isEmpty()) {
                String folded = fold(text);
                if (literals.stream().noneMatch(folded::contains)) {
                    return Optional.empty();
                }
            }
            Matcher matcher = pattern.matcher(text);
            return matcher.find() ? Optional.of(matcher.group()) : Optional.empty();
        }
    }

    /** Case folding as {@link Pattern#CASE_INSENSITIVE} with {@link Pattern#UNICODE_CASE} compares characters. */
    static String fold(String text) {
        char[] chars = text.toCharArray();
        for (int i = 0; i < chars.length; i++) {
            chars[i] = Character.toLowerCase(Character.toUpperCase(chars[i]));
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
            rules.add(new Rule(matcher.group(1), score, where, how, pattern, text, how.equals("regex") ? List.of() : literals(text)));
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
