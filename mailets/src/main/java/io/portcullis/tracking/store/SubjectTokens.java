package io.portcullis.tracking.store;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The words of a subject for the subject word index ({@code tracking_subject_token}, migration V6): maximal runs
 * of letters and digits of the lower-cased subject, at most {@link #MAX_LENGTH} characters kept.
 *
 * <p>A "contains" term can use the index only through a word it fully determines: a word of the term with a
 * non-word character on both sides inside the term is a whole word of every matching subject; a word with a non-word character before it that runs to the end of the term is the
 * start of a word of every matching subject. A word touching the start of the term may be the end of a longer
 * word, so it determines nothing: such terms (e.g. {@code "voic"}) find their candidate words in the subject
 * vocabulary ({@link SubjectVocabulary}, V7) through their {@link #runs}.
 */
public final class SubjectTokens {
    public static final int MAX_LENGTH = 64;

    private SubjectTokens() {
    }

    /** The distinct words of {@code subject} (lower-cased, at most {@link #MAX_LENGTH} characters kept), in order. */
    public static List<String> of(String subject) {
        Set<String> tokens = new LinkedHashSet<>();
        for (String word : words(subject)) {
            tokens.add(token(word));
        }
        return new ArrayList<>(tokens);
    }

    /** The distinct words of {@code subject} (lower-cased), whole (not truncated), in order. */
    public static List<String> words(String subject) {
        Set<String> words = new LinkedHashSet<>();
        if (subject != null) {
            String lc = subject.toLowerCase(Locale.ROOT);
            int start = -1;
            for (int i = 0; i <= lc.length(); i++) {
                boolean word = i < lc.length() && isWordChar(lc.charAt(i));
                if (word && start < 0) {
                    start = i;
                } else if (!word && start >= 0) {
                    words.add(lc.substring(start, i));
                    start = -1;
                }
            }
        }
        return new ArrayList<>(words);
    }

    /** The index token of a (lower-cased) word: its first {@link #MAX_LENGTH} characters. */
    public static String token(String word) {
        return truncate(word, MAX_LENGTH);
    }

    /**
     * A maximal run of letters and digits of a "contains" term (lower-cased). {@code wordStart}: a non-word
     * character precedes it inside the term, so in every matching subject the run starts a word; {@code wordEnd}:
     * a non-word character follows it inside the term, so the run ends a word.
     */
    public record Run(String text, boolean wordStart, boolean wordEnd) {
    }

    /** The runs of letters and digits of {@code term} (lower-cased here), in order. */
    public static List<Run> runs(String term) {
        String lc = term.toLowerCase(Locale.ROOT);
        List<Run> runs = new ArrayList<>();
        int i = 0;
        while (i < lc.length()) {
            if (!isWordChar(lc.charAt(i))) {
                i++;
                continue;
            }
            int start = i;
            while (i < lc.length() && isWordChar(lc.charAt(i))) {
                i++;
            }
            runs.add(new Run(lc.substring(start, i), start > 0, i < lc.length()));
        }
        return runs;
    }

    private static String truncate(String value, int max) {
        return value.length() <= max ? value : value.substring(0, max);
    }

    static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c);
    }

    /** How a term can use the word index: {@code word} is a whole word ({@code prefix} false) or a word start. */
    public record Lookup(String word, boolean prefix) {
    }

    /**
     * The best word index lookup for the "contains" term {@code term} (lower-cased here): the longest whole word,
     * else the longest word start; empty when the term fully determines no word.
     */
    public static Optional<Lookup> lookup(String term) {
        String lc = term.toLowerCase(Locale.ROOT);
        Lookup best = null;
        int i = 0;
        while (i < lc.length()) {
            if (!isWordChar(lc.charAt(i))) {
                i++;
                continue;
            }
            int start = i;
            while (i < lc.length() && isWordChar(lc.charAt(i))) {
                i++;
            }
            boolean leftBounded = start > 0;
            boolean rightBounded = i < lc.length();
            String word = lc.substring(start, i);
            if (!leftBounded) {
                continue;
            }
            if (rightBounded && word.length() < MAX_LENGTH) {
                if (best == null || best.prefix() || word.length() > best.word().length()) {
                    best = new Lookup(word, false);
                }
            } else if (!rightBounded && (best == null || best.prefix() && word.length() > best.word().length())) {
                // a word start: stored words are truncated to MAX_LENGTH, so compare at most that many characters
                best = new Lookup(truncate(word, MAX_LENGTH), true);
            } else if (rightBounded && best == null) {
                best = new Lookup(word.substring(0, MAX_LENGTH), true);
            }
        }
        return Optional.ofNullable(best);
    }
}
