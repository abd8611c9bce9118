package io.portcullis.checks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

class RequiredLiteralTest {
    @Test
    void ofShouldGiveTheLongestTopLevelRunFolded() {
        assertThat(RequiredLiteral.of("(?i)\\b(verify|confirm|update) your (account|password|login)( details)? (now|immediately|within 24 hours)\\b"))
            .isEqualTo(" your ");
        assertThat(RequiredLiteral.of("XJS\\*C4JDBQADN1\\.NSBN3\\*2IDNEN\\*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL\\*C\\.34X"))
            .isEqualTo("xjs*c4jdbqadn1.nsbn3*2idnen*gtube-standard-anti-ube-test-email*c.34x");
        assertThat(RequiredLiteral.of("(?i)Click\\s+HERE to (verify|confirm)")).isEqualTo("here to ");
        assertThat(RequiredLiteral.of("[Yy]our (account|password) is locked")).isEqualTo(" is locked");
    }

    @Test
    void ofShouldLeaveOutQuantifiedCharactersAndGroupContents() {
        assertThat(RequiredLiteral.of("abcd?efg")).isEqualTo("abc");
        assertThat(RequiredLiteral.of("ab{0}cdefg")).isEqualTo("cdefg");
        assertThat(RequiredLiteral.of("x*yzab+vu")).isEqualTo("yza");
        assertThat(RequiredLiteral.of("(?:longer literal inside)ab")).isEmpty();
        assertThat(RequiredLiteral.of("(?=lookahead)lookahead text")).isEqualTo("lookahead text");
    }

    @Test
    void ofShouldGiveNothingForWhatItDoesNotFullyRead() {
        assertThat(RequiredLiteral.of("(?i)\\b(you have won|claim your prize|100% free|act now)\\b")).isEmpty();
        assertThat(RequiredLiteral.of("first option|second option")).isEmpty();
        assertThat(RequiredLiteral.of("(?x) verify \\s your account")).isEmpty();
        assertThat(RequiredLiteral.of("\\Qverify your\\E account")).isEmpty();
        assertThat(RequiredLiteral.of("(word) again \\1")).isEmpty();
        assertThat(RequiredLiteral.of("[]] bracket first")).isEmpty();
        assertThat(RequiredLiteral.of("[a[b]] nested class")).isEmpty();
        assertThat(RequiredLiteral.of("\\p{L}+ letters and more")).isEmpty();
        assertThat(RequiredLiteral.of("ab")).isEmpty();
    }

    @Test
    void ofShouldOnlyGiveRunsEveryMatchContains() {
        List<String> regexes = List.of("(?i)Click\\s+HERE to (verify|confirm)", "[Yy]our (account|password) is locked", "abcd?efg",
            "ab{0}cdefg", "x*yzab+vu", "(?=lookahead)lookahead text", "(?iu)\u017Ftop now(?-i) OK", "(?i:ab)CDE fgh", "\\.\\*\\[lit\\]",
            "(?<name>n+) named group", "(?<=be)hind (?<!x)sight");
        for (String regex : regexes) {
            Pattern pattern = Pattern.compile(regex);
            String required = RequiredLiteral.of(regex);
            assertThat(required).as(regex).isNotEmpty();
            for (String text : ContentScanEquivalenceTest.generated(regex.hashCode(), 1_000)) {
                for (String candidate : List.of(text, text + " " + example(regex), example(regex).toUpperCase())) {
                    java.util.regex.Matcher matcher = pattern.matcher(candidate);
                    while (matcher.find()) {
                        assertThat(ContentRules.fold(matcher.group())).as("%s on '%s'", regex, candidate).contains(required);
                    }
                }
            }
        }
    }

    /** A text the expression matches, for the regexes above. */
    private static String example(String regex) {
        return switch (regex) {
            case "(?i)Click\\s+HERE to (verify|confirm)" -> "click\there to confirm";
            case "[Yy]our (account|password) is locked" -> "your password is locked";
            case "abcd?efg" -> "abcefg";
            case "ab{0}cdefg" -> "acdefg";
            case "x*yzab+vu" -> "yzabbvu";
            case "(?=lookahead)lookahead text" -> "lookahead text";
            case "(?iu)\u017Ftop now(?-i) OK" -> "STOP NOW OK";
            case "(?i:ab)CDE fgh" -> "AbCDE fgh";
            case "\\.\\*\\[lit\\]" -> ".*[lit]";
            case "(?<name>n+) named group" -> "nnn named group";
            default -> "behind sight";
        };
    }
}
