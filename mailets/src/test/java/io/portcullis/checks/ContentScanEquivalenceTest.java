package io.portcullis.checks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import io.portcullis.checks.MessageContent.Link;
import io.portcullis.checks.MessageContent.TextPart;

/**
 * Pins what the content views find on tricky inputs (scanners replaced their regular expressions), and
 * checks that they agree with the regular-expression implementation ({@link ReferenceContent}) on those inputs and on
 * thousands of generated ones.
 */
class ContentScanEquivalenceTest {
    /** Pieces the generated inputs are made of: the edges the scanners have to get right. */
    private static final String[] PIECES = {
        "http://", "https://", "HTTP://", "hTtPs://", "ftp://", "www.", "WWW.", "wWw.", "awww.", "_www.", "1www.", "http:/", "https:",
        "http", "www", "ww.", "mailto:", "javascript://", "a.example", "Bank.Example", "x-y.example", "-bad.", "evil.example",
        "/path?q=1&r=2#f", ":8080", "@", "user:pw@", ".", "..", "-", "_", " ", "  ", "\n", "\r\n", "\t", "\u000B", "\f", "\u00A0",
        "\u0085", "\u2028", "(", ")", "[", "]", "\"", "'", "<", ">", "=", ",", ";", "!", "&", "&amp;", "&lt;", "&gt;", "&quot;",
        "&nbsp;", "&amp;lt;", "&amp;nbsp;", "<a href=\"", "<a href='", "<a href=", "<A HREF=\"", "<a\nclass=\"c\" href = '",
        "<a data-href=\"x\" href=\"", "<a name=\"n\">", "<abbr href=\"", "\">", "'>", ">", "</a>", "</A >", "</a\n>", "<b>", "</b>",
        "<p>", "<br/>", "<!-- c -->", "<img src=\"http://img.example/i.png\">", "<", "é", "e\u0301", "\u0301", "ſ", "K", "İ", "\u212A", "stop now", "STOP NOW",
        "\uD835\uDC00", "Z", "z", "9", "verify", "Verify", "your", "YOUR", "account", "password", "now", "immediately",
        "within 24 hours", " details", "viagra", "ViAgRa", "online", "pharmacy", "no prescription needed", "cheap meds",
        "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X", "next of kin", "barrister", "barristers"};
    private static final int GENERATED = 6_000;

    static List<String> generated(long seed) {
        return generated(seed, GENERATED);
    }

    static List<String> generated(long seed, int count) {
        Random random = new Random(seed);
        List<String> inputs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            StringBuilder text = new StringBuilder();
            int pieces = 1 + random.nextInt(24);
            for (int p = 0; p < pieces; p++) {
                text.append(random.nextInt(5) == 0 ? String.valueOf((char) (32 + random.nextInt(95))) : PIECES[random.nextInt(PIECES.length)]);
            }
            inputs.add(text.toString());
        }
        return inputs;
    }

    static List<Link> links(String text, boolean html) {
        return MessageContent.ofTexts(List.of(new TextPart(text, html))).links();
    }

    @Nested
    class BareUrls {
        @Test
        void linksShouldFindUrlsAtTheStartAndEndOfTheText() {
            assertThat(links("http://a.example/x", false)).containsExactly(new Link("", "http://a.example/x"));
            assertThat(links("go to www.b.example", false)).containsExactly(new Link("", "www.b.example"));
        }

        @Test
        void linksShouldKeepTrailingPunctuationExceptBracketsAndQuotes() {
            assertThat(links("see HTTPS://A.EXAMPLE/Y. now", false)).containsExactly(new Link("", "HTTPS://A.EXAMPLE/Y."));
            assertThat(links("(www.b.example) [hTtPs://m.example[1]] <http://j.example/a?b=1&c=2> \"http://q.example\"'", false))
                .containsExactly(new Link("", "www.b.example"), new Link("", "hTtPs://m.example"), new Link("", "http://j.example/a?b=1&c=2"),
                    new Link("", "http://q.example"));
        }

        @Test
        void linksShouldNeedAWordBoundaryBeforeTheUrl() {
            assertThat(links("awww.c.example _www.d.example 1www.e.example éwww.f.example xhttp://i.example", false)).isEmpty();
            assertThat(links("-www.h.example url:http://l.example,WwW.k.example", false))
                .containsExactly(new Link("", "www.h.example"), new Link("", "http://l.example,WwW.k.example"));
        }

        @Test
        void linksShouldNeedACharacterAfterTheScheme() {
            assertThat(links("http:// x https://\nwww. y ftp://z.example http:/w.example", false)).isEmpty();
        }

        @Test
        void linksShouldTakeTheLongestRunOfUrlCharacters() {
            assertThat(links("http://a.examplehttp://b.example http://a.example\thttp://a.example\u00A0z", false))
                .containsExactly(new Link("", "http://a.examplehttp://b.example"), new Link("", "http://a.example"),
                    new Link("", "http://a.example\u00A0z"));
        }
    }

    @Nested
    class Anchors {
        @Test
        void linksShouldReadDoubleSingleAndUnquotedHrefs() {
            assertThat(links("<a href=\"http://x.example/1\">One</a><A HREF='http://y.example/2'>Two</A ><a href=http://z.example/3 class=x>Three</a\n>", true))
                .containsExactly(new Link("One", "http://x.example/1"), new Link("Two", "http://y.example/2"), new Link("Three", "http://z.example/3"));
        }

        @Test
        void linksShouldFindHrefAfterOtherAttributesAndAcrossLines() {
            assertThat(links("<a\nclass=\"c\"\n href = \" http://w.example/4 \"\n>Four <b>bold</b>\n</a>", true))
                .containsExactly(new Link("Four  bold", "http://w.example/4"));
        }

        @Test
        void linksShouldTakeTheFirstAttributeNameEndingInHref() {
            assertThat(links("<a data-href=\"no\" href=\"http://w.example/4\">x</a>", true)).containsExactly(new Link("x", "no"));
        }

        @Test
        void linksShouldSkipAnchorsWithoutHrefOrClosingTag() {
            assertThat(links("<a name=\"x\">no href</a> <abbr href=\"http://n.example\">abbr</abbr> <a href=\"http://v.example/5\">unclosed", true))
                .isEmpty();
        }

        @Test
        void linksShouldDecodeEntitiesInTheTextButNotInTheHref() {
            assertThat(links("<a href=\"http://u.example/?a=1&amp;b=2\">Tom &amp; Jerry &lt;3</a>", true))
                .containsExactly(new Link("Tom & Jerry <3", "http://u.example/?a=1&amp;b=2"));
        }

        @Test
        void linksShouldListAnAnchorAndThenTheBareUrlsOfTheTextWithoutTags() {
            assertThat(links("<p>at <a href=\"http://s.example\">http://s.example/x</a> or www.t.example<br>", true))
                .containsExactly(new Link("http://s.example/x", "http://s.example"), new Link("", "http://s.example/x"), new Link("", "www.t.example"));
        }

        @Test
        void linksShouldFallBackToAnUnquotedHrefWhenAQuoteIsNeverClosed() {
            assertThat(links("<a href=\"foo bar>x</a>", true)).containsExactly(new Link("x", "\"foo"));
        }
    }

    @Nested
    class HtmlToText {
        @Test
        void htmlToTextShouldReplaceEachTagWithASpace() {
            assertThat(MessageContent.htmlToText("<p\nclass=x>t</p>")).isEqualTo(" t ");
            assertThat(MessageContent.htmlToText("a <b <i>c</i> d")).isEqualTo("a  c  d");
        }

        @Test
        void htmlToTextShouldKeepAnAngleBracketThatOpensNoTag() {
            assertThat(MessageContent.htmlToText("x < y")).isEqualTo("x < y");
            assertThat(MessageContent.htmlToText("1 > 0 <br>")).isEqualTo("1 > 0  ");
        }

        @Test
        void htmlToTextShouldDecodeEntitiesInTheirFixedOrder() {
            assertThat(MessageContent.htmlToText("&lt;b&gt; &quot;q&quot;&nbsp;&amp;")).isEqualTo("<b> \"q\" &");
            assertThat(MessageContent.htmlToText("a &amp;lt; b &amp;nbsp; c")).isEqualTo("a < b &nbsp; c");
        }

        @Test
        void bodyTextShouldJoinPlainAndHtmlPartsWithNewlines() {
            MessageContent content = MessageContent.ofTexts(List.of(new TextPart("plain <b>kept</b>", false), new TextPart("<p>html</p>", true)));

            assertThat(content.bodyText()).isEqualTo("plain <b>kept</b>\n html \n");
            assertThat(content.rawBody()).isEqualTo("plain <b>kept</b>\n<p>html</p>\n");
        }
    }

    @Nested
    class Hosts {
        @Test
        void hostShouldLowerTheCaseAndDropPortPathUserAndTrailingDots() {
            assertThat(MessageContent.host("HTTP://WWW.Example.COM:8080/x")).contains("www.example.com");
            assertThat(MessageContent.host("https://user@mail.example.org/")).contains("mail.example.org");
            assertThat(MessageContent.host("  www.example.net.?q  ")).contains("www.example.net");
            assertThat(MessageContent.host("ftp://files.example/a")).contains("files.example");
            assertThat(MessageContent.host("192.0.2.1")).contains("192.0.2.1");
            assertThat(MessageContent.host("http://\u212Aevil.example/")).contains("kevil.example");
        }

        @Test
        void hostShouldBeEmptyForWhatIsNoHostName() {
            assertThat(MessageContent.host("https://user:pw@mail.example.org/")).isEmpty();
            assertThat(MessageContent.host("mailto:bob@example.com")).isEmpty();
            assertThat(MessageContent.host("javascript://x.example")).isEmpty();
            assertThat(MessageContent.host("localhost")).isEmpty();
            assertThat(MessageContent.host("-bad.example")).isEmpty();
            assertThat(MessageContent.host("bad-.example")).isEmpty();
            assertThat(MessageContent.host("a_b.example")).isEmpty();
            assertThat(MessageContent.host("bücher.example")).isEmpty();
            assertThat(MessageContent.host("example..com")).isEmpty();
            assertThat(MessageContent.host(".example.com")).isEmpty();
            assertThat(MessageContent.host("")).isEmpty();
        }

        @Test
        void linkHostsShouldListDistinctHostsInOrderOfAppearance() {
            MessageContent content = MessageContent.ofTexts(List.of(
                new TextPart("<a href=\"http://B.example/1\">b</a> www.a.example http://b.example/2 mailto:x@c.example", true)));

            assertThat(content.linkHosts()).containsExactly("b.example", "www.a.example");
        }
    }

    @Nested
    class LinkText {
        @Test
        void domainInTextShouldReadADomainOrUrlShownAsLinkText() {
            assertThat(PhishingCheck.domainInText("www.bank.example")).contains("www.bank.example");
            assertThat(PhishingCheck.domainInText(" HTTPS://Login.Bank.Example/x y ")).contains("login.bank.example");
            assertThat(PhishingCheck.domainInText("bank.example:443")).contains("bank.example");
        }

        @Test
        void domainInTextShouldBeEmptyForOtherText() {
            assertThat(PhishingCheck.domainInText("Read more on www.clean.example")).isEmpty();
            assertThat(PhishingCheck.domainInText("bank.example.")).isEmpty();
            assertThat(PhishingCheck.domainInText("http://bank")).isEmpty();
            assertThat(PhishingCheck.domainInText("1.2.3.4")).isEmpty();
            assertThat(PhishingCheck.domainInText("www.x.example/a\nb")).isEmpty();
            assertThat(PhishingCheck.domainInText("www.x.example/a\u0085")).isEmpty();
            assertThat(PhishingCheck.domainInText("www.x.example\u2028")).isEmpty();
            assertThat(PhishingCheck.domainInText("click here")).isEmpty();
        }

        @Test
        void addressInNameShouldFindTheFirstAddressOfADisplayName() {
            assertThat(PhishingCheck.addressInName("Support <support@bank.example> team")).contains("support@bank.example");
            assertThat(PhishingCheck.addressInName("a@b @c.example x.y+z@mail.bank.example.co")).contains("x.y+z@mail.bank.example.co");
            assertThat(PhishingCheck.addressInName("me@host.x1 no")).isEmpty();
            assertThat(PhishingCheck.addressInName("ops@a.bc.d9")).contains("ops@a.bc");
        }
    }

    @Nested
    class Rules {
        ContentRules shipped() throws IOException {
            return ContentRules.parse("content-rules.conf", Files.readAllLines(Path.of("../conf/content-rules.conf")));
        }

        ContentRules.Rule rule(String line) {
            return ContentRules.parse("test", List.of(line)).rules().get(0);
        }

        @Test
        void keywordRuleShouldMatchAPhraseAcrossLineBreaks() {
            ContentRules.Rule rule = rule("content:pharmacy 30 body keywords viagra, online pharmacy");

            assertThat(rule.match("the ONLINE\r\n\tPharmacy")).contains("ONLINE\r\n\tPharmacy");
            assertThat(rule.match("onlinepharmacy")).isEmpty();
        }

        @Test
        void regexRuleShouldMatchWhateverTheCaseWhenItAsksSo() {
            ContentRules.Rule rule = rule("content:verify-account 25 body regex (?i)\\b(verify|confirm|update) your (account|password|login)( details)? (now|immediately|within 24 hours)\\b");

            assertThat(rule.match("Please Confirm YOUR Password immediately.")).contains("Confirm YOUR Password immediately");
            assertThat(rule.match("verify your account details within 24 hours!")).contains("verify your account details within 24 hours");
            assertThat(rule.match("verify your\naccount now")).isEmpty();
            assertThat(rule.match("reverify your account now")).isEmpty();
        }

        @Test
        void caseSensitiveRegexRuleShouldNotMatchAnotherCase() {
            ContentRules.Rule rule = rule("spam:gtube 1000 body regex XJS\\*C4JDBQADN1\\.NSBN3\\*2IDNEN\\*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL\\*C\\.34X");

            assertThat(rule.match("xjs*c4jdbqadn1.nsbn3*2idnen*gtube-standard-anti-ube-test-email*c.34x")).isEmpty();
        }

        @Test
        void shippedRulesShouldMatchWhatTheirPatternsMatchOnGeneratedBodies() throws IOException {
            List<ContentRules.Rule> rules = new ArrayList<>(shipped().rules());
            rules.add(rule("content:a 1 body regex (?iu)ſtop\\s+here|prefix [a-z]+ suffix"));
            rules.add(rule("content:b 1 body regex (?i)(?:cheap|online) pharmacy\\b"));
            rules.add(rule("content:c 1 body regex [Yy]our (account|password)"));
            rules.add(rule("content:d 1 body regex \\Qverify your\\E\\s"));
            rules.add(rule("content:e 1 body regex (?x) verify \\s your"));
            rules.add(rule("content:f 1 body keywords ſtop, kelvin, details within"));
            rules.add(rule("content:g 1 body regex (?iu)STOP now|(?i)Verify your ACCOUNT"));
            rules.add(rule("content:h 1 body regex (?iu)\\bſtop now\\b"));
            rules.add(rule("content:i 1 body regex (?i)your (account|password)( details)? (now|immediately)"));
            rules.add(rule("content:j 1 body regex (?i:online) pharmacy[,.!]? no"));
            rules.add(rule("content:k 1 body regex http://[a-z.]+/path\\?q=1"));
            rules.add(rule("content:l 1 body regex (?i)&amp;lt;"));
            for (String text : generated(8)) {
                for (ContentRules.Rule rule : rules) {
                    assertThat(rule.match(text)).as("%s on '%s'", rule.name(), text).isEqualTo(ReferenceContent.match(rule.pattern(), text));
                }
            }
        }
    }

    @Nested
    class AgainstTheRegularExpressions {
        @Test
        void linksShouldEqualTheReferenceOnGeneratedTexts() {
            for (String text : generated(1)) {
                for (boolean html : new boolean[] {false, true}) {
                    List<TextPart> parts = List.of(new TextPart(text, html), new TextPart(text, !html));
                    MessageContent content = MessageContent.ofTexts(parts);
                    assertThat(content.links()).as("links of '%s'", text).isEqualTo(ReferenceContent.links(parts));
                    assertThat(content.linkHosts()).as("hosts of '%s'", text).containsExactlyElementsOf(ReferenceContent.linkHosts(parts));
                    assertThat(content.bodyText()).as("body text of '%s'", text).isEqualTo(ReferenceContent.bodyText(parts));
                }
            }
        }

        @Test
        void htmlToTextShouldEqualTheReferenceOnGeneratedTexts() {
            for (String text : generated(2)) {
                assertThat(MessageContent.htmlToText(text)).as("'%s'", text).isEqualTo(ReferenceContent.htmlToText(text));
            }
        }

        @Test
        void hostShouldEqualTheReferenceOnGeneratedUrls() {
            for (String text : generated(3)) {
                assertThat(MessageContent.host(text)).as("'%s'", text).isEqualTo(ReferenceContent.host(text));
                String bare = text.replace(" ", "");
                assertThat(MessageContent.host(bare)).as("'%s'", bare).isEqualTo(ReferenceContent.host(bare));
            }
        }

        @Test
        void domainInTextShouldEqualTheReferenceOnGeneratedTexts() {
            for (String text : generated(4)) {
                assertThat(PhishingCheck.domainInText(text)).as("'%s'", text).isEqualTo(ReferenceContent.domainInText(text));
                String bare = text.replace(" ", "");
                assertThat(PhishingCheck.domainInText(bare)).as("'%s'", bare).isEqualTo(ReferenceContent.domainInText(bare));
            }
        }

        @Test
        void addressInNameShouldEqualTheReferenceOnGeneratedNames() {
            for (String text : generated(5)) {
                for (String name : List.of(text, text.replace(" ", ""), text.replace("http://", "a@b."), "x" + text + "@" + text)) {
                    String capped = name.length() > PhishingCheck.MAX_DISPLAY_NAME ? name.substring(0, PhishingCheck.MAX_DISPLAY_NAME) : name;
                    assertThat(PhishingCheck.addressInName(name)).as("'%s'", name).isEqualTo(ReferenceContent.addressInName(capped));
                }
            }
        }

        @Test
        void foldShouldEqualTheReferenceOnEveryCharacter() {
            StringBuilder all = new StringBuilder();
            for (char c = 0; c < Character.MAX_VALUE; c++) {
                all.append(c);
            }
            all.append(Character.MAX_VALUE);

            assertThat(ContentRules.fold(all.toString())).isEqualTo(ReferenceContent.fold(all.toString()));
        }

        @Test
        void linksShouldEqualTheReferenceOnTheBenchmarkCorpus() {
            for (String html : List.of(BenchmarkCorpus.htmlBody(), BenchmarkCorpus.suspectBody(), BenchmarkCorpus.junkBody())) {
                for (boolean isHtml : new boolean[] {false, true}) {
                    List<TextPart> parts = List.of(new TextPart(html, isHtml));
                    assertThat(MessageContent.ofTexts(parts).links()).isEqualTo(ReferenceContent.links(parts));
                }
            }
        }
    }
}
