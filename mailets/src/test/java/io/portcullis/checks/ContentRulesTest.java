package io.portcullis.checks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class ContentRulesTest {
    private static ContentRules.Rule rule(String line) {
        return ContentRules.parse("test", List.of(line)).rules().get(0);
    }

    @Test
    void keywordRuleShouldMatchWhatItsPatternMatchesWhateverTheCase() {
        ContentRules.Rule rule = rule("content:pharmacy 30 body keywords viagra, online pharmacy, no prescription needed");

        assertThat(rule.match("Buy VIAGRA now")).contains("VIAGRA");
        assertThat(rule.match("the Online\n  Pharmacy is open")).contains("Online\n  Pharmacy");
        assertThat(rule.match("NO PRESCRIPTION NEEDED!")).contains("NO PRESCRIPTION NEEDED");
    }

    @Test
    void keywordPrefilterShouldFoldCharactersAsTheCaseInsensitivePatternDoes() {
        // U+017F LATIN SMALL LETTER LONG S is 's' for a Unicode case-insensitive pattern: the pre-filter must agree.
        ContentRules.Rule rule = rule("content:test 5 body keywords pass");

        assertThat(rule.match("pa\u017F\u017F here")).contains("pa\u017F\u017F");
        assertThat(ContentRules.fold("PA\u017FS")).isEqualTo("pass");
    }

    @Test
    void keywordRuleShouldNotMatchWhenNoKeywordWordOccurs() {
        ContentRules.Rule rule = rule("content:pharmacy 30 body keywords viagra, online pharmacy");

        assertThat(rule.match("Minutes of the meeting, nothing to buy online")).isEmpty();
        assertThat(rule.match("the pharmacy online")).isEmpty();
        assertThat(rule.literals()).containsExactly("viagra", "pharmacy");
    }

    @Test
    void regexRuleShouldHaveNoPrefilter() {
        ContentRules.Rule rule = rule("content:prize 20 subject regex (?i)\\byou have won\\b");

        assertThat(rule.literals()).isEmpty();
        assertThat(rule.match("YOU HAVE WON")).contains("YOU HAVE WON");
    }
}
