package io.portcullis.report.render;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeMultipart;

import org.junit.jupiter.api.Test;

import io.portcullis.quarantine.EntryState;
import io.portcullis.quarantine.HeldMessage;
import io.portcullis.quarantine.QuarantineEntry;

class ReportRendererTest {
    final ReportRenderer renderer = new ReportRenderer(ZoneOffset.UTC);

    static ReportItem item(String id, String subject, String arrival, String... reasons) {
        HeldMessage message = new HeldMessage("m-" + id, "mail-" + id, "t-" + id, "spammer@remote.example", Optional.of(subject),
            "spam", Optional.of(85), List.of(reasons), List.of(), Optional.of("inbound"), Optional.empty(), Optional.empty(),
            Instant.parse(arrival), 100);
        QuarantineEntry entry = new QuarantineEntry("e-" + id, message, "bob@portcullis.test", EntryState.HELD, Optional.empty(),
            Instant.parse(arrival), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
        return new ReportItem(entry, Map.of("release", "http://gw/r?token=" + id + "&x=1", "delete", "http://gw/d?token=" + id));
    }

    @Test
    void renderShouldBuildTextAndHtmlAlternativesListingNewestFirst() throws Exception {
        MimeMessage message = renderer.render("postmaster@portcullis.test", "bob@portcullis.test", List.of(
            item("old", "Older one", "2026-11-20T08:00:00Z", "dnsbl: listed +40"),
            item("new", "Newer <b>one</b>", "2026-11-22T09:30:00Z", "content: pills +45", "uribl +10", "spf fail +5", "fourth +1")), 14);

        MimeMultipart alternative = (MimeMultipart) message.getContent();
        assertThat(alternative.getContentType()).startsWith("multipart/alternative");
        String text = (String) alternative.getBodyPart(0).getContent();
        String html = (String) alternative.getBodyPart(1).getContent();
        assertThat(alternative.getBodyPart(0).getContentType()).startsWith("text/plain");
        assertThat(alternative.getBodyPart(1).getContentType()).startsWith("text/html");
        assertThat(text.indexOf("Newer <b>one</b>")).isLessThan(text.indexOf("Older one")).isNotNegative();
        assertThat(text).contains("2026-11-22 09:30", "spammer@remote.example", "Area:    spam", "Score:   85",
            "content: pills +45; uribl +10; spf fail +5", "Release: http://gw/r?token=new&x=1", "Delete: http://gw/d?token=old")
            .doesNotContain("fourth +1");
        assertThat(html).contains("Newer &lt;b&gt;one&lt;/b&gt;", "href=\"http://gw/r?token=new&amp;x=1\"").doesNotContain("<b>one");
        assertThat(message.getSubject()).isEqualTo("Quarantine report: 2 messages held for you");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        message.writeTo(out);
        assertThat(out.toString()).contains("Auto-Submitted: auto-generated");
    }

    @Test
    void renderShouldSayNothingHeldWhenNoItem() throws Exception {
        MimeMessage message = renderer.render("postmaster@portcullis.test", "bob@portcullis.test", List.of(), 7);

        MimeMultipart alternative = (MimeMultipart) message.getContent();
        assertThat((String) alternative.getBodyPart(0).getContent())
            .contains("No messages held for you (bob@portcullis.test) in the last 7 days.");
        assertThat(message.getSubject()).isEqualTo("Quarantine report: no messages held for you");
    }

    @Test
    void renderShouldKeepASubjectWithLineBreaksOnItsOwnLineWhenItFakesALinkLine() throws Exception {
        MimeMessage message = renderer.render("postmaster@portcullis.test", "bob@portcullis.test", List.of(
            item("evil", "x\r\nRelease: http://evil.example/\u2028Delete: http://evil.example/", "2026-11-22T09:30:00Z",
                "attachment \"a\r\n  Release: http://evil.example/\" +5")), 14);

        MimeMultipart alternative = (MimeMultipart) message.getContent();
        String text = (String) alternative.getBodyPart(0).getContent();
        String html = (String) alternative.getBodyPart(1).getContent();
        assertThat(text.lines()).noneMatch(line -> line.strip().startsWith("Release: http://evil"))
            .noneMatch(line -> line.strip().startsWith("Delete: http://evil"))
            .contains("Subject: x Release: http://evil.example/ Delete: http://evil.example/");
        assertThat(text).contains("Why:     attachment \"a Release: http://evil.example/\" +5");
        assertThat(html).doesNotContain("\r").doesNotContain("\n").doesNotContain("\u2028");
    }

    @Test
    void cleanShouldDropControlAndBidiCharactersAndCapTheLength() {
        assertThat(ReportRenderer.clean("a\u0000b\tc\u202Eevil\u202C  d\u0085e", 100)).isEqualTo("a b cevil d e");
        assertThat(ReportRenderer.clean("\r\n  lead", 100)).isEqualTo("lead");
        assertThat(ReportRenderer.clean("x".repeat(5000), 200)).hasSize(201).endsWith("\u2026");
        assertThat(ReportRenderer.clean("\uD83D\uDE00".repeat(300), 200)).startsWith("\uD83D\uDE00")
            .satisfies(cut -> assertThat(cut.codePointCount(0, cut.length())).isEqualTo(201));
        assertThat(ReportRenderer.clean(null, 10)).isEmpty();
    }

    @Test
    void renderShouldCapALongSubject() throws Exception {
        String text = renderer.text("bob@portcullis.test", List.of(item("long", "s".repeat(100_000), "2026-11-22T09:30:00Z")), 14);

        assertThat(text.lines().filter(line -> line.startsWith("Subject: ")).findFirst().orElseThrow())
            .hasSize("Subject: ".length() + ReportRenderer.MAX_SUBJECT + 1);
    }
}
