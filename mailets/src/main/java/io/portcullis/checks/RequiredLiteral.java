package io.portcullis.checks;

/**
 * A run of plain characters that every match of a regular expression contains, derived from the expression's text so
 * that a content rule need not run its pattern over a body that lacks the run ({@code " your "} for
 * {@code (?i)\b(verify|confirm|update) your (account|password)\b}). Case-folded as {@link ContentRules#fold}: a
 * match, whatever the case flags, folds to a text holding the folded run.
 *
 * <p>Deliberately narrow: only the top level of the expression is read (a group, class, escape class, {@code .},
 * anchor or quantified character ends a run; the inside of groups is never used), only ASCII characters count, and
 * anything the reader does not fully understand (an alternation at the top level, {@code \Q}, back references, nested
 * or odd classes, comments mode {@code (?x)}, escapes such as {@code \p} or {@code \x}) yields no run at all, so the
 * rule runs its pattern on every text as before. Runs shorter than {@value #MIN_LENGTH} characters are not worth the
 * search.
 */
final class RequiredLiteral {
    static final int MIN_LENGTH = 3;

    /** Thrown inside the reader for a construct it does not handle: no run is derived. */
    private static final class Unsupported extends Exception {
        private static final long serialVersionUID = 1L;

        Unsupported() {
            super(null, null, false, false);
        }
    }

    private final String regex;
    private int position;
    private final StringBuilder run = new StringBuilder();
    private String best = "";

    private RequiredLiteral(String regex) {
        this.regex = regex;
    }

    /** The folded run every match of {@code regex} (a valid Java regular expression) contains, or "" when none is derived. */
    static String of(String regex) {
        try {
            RequiredLiteral reader = new RequiredLiteral(regex);
            reader.sequence(0);
            if (reader.position != regex.length()) {
                return "";
            }
            reader.endRun();
            return reader.best.length() >= MIN_LENGTH ? ContentRules.fold(reader.best) : "";
        } catch (Unsupported e) {
            return "";
        }
    }

    private void endRun() {
        if (run.length() > best.length()) {
            best = run.toString();
        }
        run.setLength(0);
    }

    private boolean atEnd() {
        return position >= regex.length();
    }

    private char peek() {
        return regex.charAt(position);
    }

    /** A sequence of atoms up to the end, or (inside a group) up to its closing parenthesis. */
    private void sequence(int depth) throws Unsupported {
        while (!atEnd()) {
            char c = peek();
            if (c == ')') {
                if (depth == 0) {
                    throw new Unsupported();
                }
                return;
            }
            if (c == '|') {
                if (depth == 0) {
                    throw new Unsupported(); // an alternative at the top level: no character is needed by every match
                }
                position++;
                continue;
            }
            atom(depth);
        }
        if (depth > 0) {
            throw new Unsupported();
        }
    }

    /** One atom and its quantifier; a plain ASCII character without a quantifier extends the current run (top level only). */
    private void atom(int depth) throws Unsupported {
        char c = peek();
        Character literal = null;
        boolean zeroWidth = false;
        switch (c) {
            case '(' -> {
                group(depth);
                zeroWidth = false;
            }
            case '[' -> characterClass();
            case '\\' -> {
                position++;
                if (atEnd()) {
                    throw new Unsupported();
                }
                char e = peek();
                position++;
                if (e < 0x80 && !Character.isLetterOrDigit(e)) {
                    literal = e;
                } else if ("dDsSwWhHvVRX".indexOf(e) >= 0) {
                    literal = null;
                } else if ("bBAGZz".indexOf(e) >= 0) {
                    zeroWidth = true;
                } else {
                    throw new Unsupported();
                }
            }
            case '.', '^', '$' -> position++;
            case '*', '+', '?', '{', '}', ']' -> throw new Unsupported();
            default -> {
                position++;
                if (c < 0x80 && c >= ' ') {
                    literal = c;
                }
            }
        }
        boolean quantified = quantifier();
        if (zeroWidth && quantified) {
            throw new Unsupported();
        }
        if (depth == 0) {
            if (literal != null && !quantified) {
                run.append(literal.charValue());
            } else {
                endRun();
            }
        }
    }

    /** Skips a quantifier after an atom, if there is one (with its lazy {@code ?} or possessive {@code +} mark). */
    private boolean quantifier() throws Unsupported {
        if (atEnd()) {
            return false;
        }
        char c = peek();
        if (c == '*' || c == '+' || c == '?') {
            position++;
        } else if (c == '{') {
            int close = regex.indexOf('}', position);
            if (close < 0 || !regex.substring(position + 1, close).matches("\\d+(,\\d*)?")) {
                throw new Unsupported();
            }
            position = close + 1;
        } else {
            return false;
        }
        if (!atEnd() && (peek() == '?' || peek() == '+')) {
            position++;
        }
        if (!atEnd() && (peek() == '*' || peek() == '+' || peek() == '?' || peek() == '{')) {
            throw new Unsupported();
        }
        return true;
    }

    /** A group of any kind; its content is read (to find its end) but never contributes to the run. */
    private void group(int depth) throws Unsupported {
        position++; // (
        if (!atEnd() && peek() == '?') {
            position++;
            if (atEnd()) {
                throw new Unsupported();
            }
            char kind = peek();
            if (kind == ':' || kind == '=' || kind == '!' || kind == '>') {
                position++;
            } else if (regex.startsWith("<=", position) || regex.startsWith("<!", position)) {
                position += 2;
            } else if (kind == '<') {
                int close = regex.indexOf('>', position);
                if (close < 0 || !regex.substring(position + 1, close).matches("[a-zA-Z][a-zA-Z0-9]*")) {
                    throw new Unsupported();
                }
                position = close + 1;
            } else {
                int start = position;
                while (!atEnd() && "idmsuU-".indexOf(peek()) >= 0) {
                    position++;
                }
                if (atEnd() || position == start) {
                    throw new Unsupported(); // also (?x): comments mode changes what every character means
                }
                if (peek() == ')') {
                    position++;
                    return; // flags only: zero width, ends the run like any group
                }
                if (peek() != ':') {
                    throw new Unsupported();
                }
                position++;
            }
        }
        sequence(depth + 1);
        if (atEnd() || peek() != ')') {
            throw new Unsupported();
        }
        position++;
    }

    /** A simple character class {@code [...]} (no nested class, no {@code \Q} or {@code \c} inside, not starting with {@code ]}). */
    private void characterClass() throws Unsupported {
        position++; // [
        if (!atEnd() && peek() == '^') {
            position++;
        }
        if (!atEnd() && peek() == ']') {
            throw new Unsupported();
        }
        while (!atEnd()) {
            char c = peek();
            if (c == ']') {
                position++;
                return;
            }
            if (c == '[') {
                throw new Unsupported();
            }
            if (c == '\\') {
                if (position + 1 >= regex.length() || "Qc".indexOf(regex.charAt(position + 1)) >= 0) {
                    throw new Unsupported();
                }
                position += 2;
            } else {
                position++;
            }
        }
        throw new Unsupported();
    }
}
