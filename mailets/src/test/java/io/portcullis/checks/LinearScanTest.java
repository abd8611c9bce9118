package io.portcullis.checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.portcullis.checks.MessageContent.Link;
import io.portcullis.checks.MessageContent.TextPart;

/**
 * The content scans read attacker text in time linear in its length. Each input here is about 3 MB of a shape that
 * sends a backtracking regular expression over the rest of the text at every step: the former anchor expression took
 * 86 s on 294 KB of unclosed anchors (quadratic: hours on these). The bound of each test is generous (5 s on a slow
 * shared machine for work that takes well under a second); only a quadratic scan blows it.
 */
class LinearScanTest {
    private static final Duration BOUND = Duration.ofSeconds(5);
    private static final int SIZE = 3 * 1024 * 1024;

    private static String repeat(String unit) {
        return unit.repeat(SIZE / unit.length());
    }

    private static List<Link> links(String html) {
        return MessageContent.ofTexts(List.of(new TextPart(html, true))).links();
    }

    @Test
    void linksShouldBeFoundPromptlyWhenAPartHoldsThousandsOfUnclosedAnchors() {
        String html = "<a href=\"http://first.example/\">First</a> " + repeat("<a href=x>");

        List<Link> links = assertTimeoutPreemptively(BOUND, () -> links(html));

        assertThat(links).containsExactly(new Link("First", "http://first.example/"));
    }

    @Test
    void linksShouldReadUnclosedAnchorsUpToTheScanCapOnly() {
        String html = "<a href=\"http://first.example/\">First</a> " + repeat("<a href=x>") + "<a href=\"http://late.example/\">Late</a>";

        List<Link> links = assertTimeoutPreemptively(BOUND, () -> links(html));

        assertThat(links).as("the late anchor lies past the first %d characters", MessageContent.MAX_LINK_SCAN)
            .containsExactly(new Link("First", "http://first.example/"));
    }

    @Test
    void linksShouldBeFoundPromptlyWhenAnchorsAreClosedOnlyAtTheEnd() {
        String html = head(repeat("<a href=x>")).substring(10) + "</a>";

        List<Link> links = assertTimeoutPreemptively(BOUND, () -> links(html));

        assertThat(links).hasSize(1);
        assertThat(links.get(0).href()).isEqualTo("x");
    }

    @Test
    void linksShouldBeFoundPromptlyWhenOneTagHoldsThousandsOfOpeningsAndHrefs() {
        String openings = head(repeat("<a ")).substring(0, MessageContent.MAX_LINK_SCAN / 2);
        String html = openings + "hrefhref=href ".repeat(20_000) + "href='http://one.example/'>One</a> ";

        List<Link> links = assertTimeoutPreemptively(BOUND, () -> links(html));

        assertThat(links).containsExactly(new Link("One", "href"));
    }

    @Test
    void linksShouldBeFoundPromptlyWhenQuotesAndClosingTagsNeverCome() {
        for (String unit : List.of("<a href=\"", "<a href='x' ", "<a href= ", "<a\thref=x </a ", "<a href=href=href=", "<A HREF=\"<a\n")) {
            String html = unit.repeat((MessageContent.MAX_LINK_SCAN - 100) / unit.length()) + "<a href=\"http://end.example/\">End</a>";

            List<Link> links = assertTimeoutPreemptively(BOUND, () -> links(html), unit);

            // what exactly is found on such input is pinned on a short version against the expression (below)
            assertThat(links).as("%s", unit).isNotEmpty();
        }
    }

    @Test
    void scannersShouldAgreeWithTheExpressionsOnSmallPathologicalInputs() {
        for (String unit : List.of("<a href=x>", "<a href=\"", "<a href='x' ", "<a href= ", "<a\thref=x </a ", "<a href=href=href=",
                "<A HREF=\"<a\n", "<a ", "hrefhref=href ")) {
            for (String tail : List.of("", "</a>", "<a href=\"http://end.example/\">End</a>", "\">x</a >")) {
                String html = unit.repeat(40) + tail;
                List<TextPart> parts = List.of(new TextPart(html, true));

                assertThat(MessageContent.ofTexts(parts).links()).as("%s x40 + %s", unit, tail).isEqualTo(ReferenceContent.links(parts));
            }
        }
    }

    @Test
    void bareUrlsShouldBeFoundPromptlyInALongRunOfUrlLikeText() {
        String text = repeat("www.") + " http://tail.example/";

        List<Link> links = assertTimeoutPreemptively(BOUND, () -> MessageContent.ofTexts(List.of(new TextPart(text, false))).links());

        assertThat(links).hasSize(1);
        assertThat(links.get(0).href()).startsWith("www.www.");
    }

    @Test
    void domainInTextShouldAnswerPromptlyForAVeryLongLinkText() {
        String labels = repeat("a-a.");
        Optional<String> shown = assertTimeoutPreemptively(BOUND, () -> PhishingCheck.domainInText(labels + "example"));
        Optional<String> none = assertTimeoutPreemptively(BOUND, () -> PhishingCheck.domainInText(labels + "x!"));

        assertThat(shown).contains(labels + "example");
        assertThat(none).isEmpty();
    }

    @Test
    void addressInNameShouldReadOnlyTheFirstCharactersOfADisplayName() {
        String padded = repeat("a.") + "@" + repeat("b.");
        String early = "boss@bank.example " + padded;
        String late = "x".repeat(PhishingCheck.MAX_DISPLAY_NAME) + " boss@bank.example";

        assertThat(assertTimeoutPreemptively(BOUND, () -> PhishingCheck.addressInName(padded))).isEmpty();
        assertThat(assertTimeoutPreemptively(BOUND, () -> PhishingCheck.addressInName(early))).contains("boss@bank.example");
        assertThat(PhishingCheck.addressInName(late)).isEmpty();
    }

    private static String head(String text) {
        return MessageContent.head(text, MessageContent.MAX_LINK_SCAN);
    }
}
