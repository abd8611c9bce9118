package io.portcullis.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/** The generator alone: size, determinism, one identity per message, and the nastiest shapes really present. */
class HostileCorpusTest {
    private static final HostileCorpus CORPUS = new HostileCorpus(HostileCorpus.DEFAULT_SEED, "corpus.example", "corpus@acme.test");

    @Test
    void corpusShouldHoldAThousandMessagesWithOneEnvelopeSenderEach() {
        List<HostileMessage> messages = CORPUS.messages();

        assertThat(messages).hasSizeGreaterThanOrEqualTo(1_000);
        assertThat(messages.stream().map(HostileMessage::envelopeSender).distinct().count()).isEqualTo(messages.size());
        assertThat(messages).allMatch(m -> m.envelopeSender().matches("h\\d+-[a-z0-9-]+@corpus\\.example"));
        assertThat(messages.stream().map(HostileMessage::family).filter(f -> f.startsWith("fixture-")).count())
            .isEqualTo(HostileCorpus.fixtures().size()).isGreaterThanOrEqualTo(5);
    }

    @Test
    void sameSeedShouldGiveTheSameBytesAndAnotherSeedOtherBytes() {
        List<HostileMessage> again = new HostileCorpus(HostileCorpus.DEFAULT_SEED, "corpus.example", "corpus@acme.test").messages();
        List<HostileMessage> other = new HostileCorpus(HostileCorpus.DEFAULT_SEED + 1, "corpus.example", "corpus@acme.test").messages();

        List<HostileMessage> messages = CORPUS.messages();
        for (int i = 0; i < messages.size(); i++) {
            assertThat(Arrays.equals(again.get(i).content(), messages.get(i).content())).as(messages.get(i).toString()).isTrue();
        }
        assertThat(other.stream().filter(m -> !Arrays.equals(m.content(), messages.get(m.index()).content())).count())
            .isGreaterThan(100);
    }

    @Test
    void nastiestShapesShouldBeInTheCorpus() {
        List<String> texts = CORPUS.messages().stream().map(m -> new String(m.content(), StandardCharsets.ISO_8859_1)).collect(Collectors.toList());

        assertThat(texts).anyMatch(t -> count(t, "\\\"") == 4_500 && t.contains("filename*14="));
        assertThat(texts).anyMatch(t -> t.contains("<a href=x>".repeat(30_000)) || count(t, "<a href=x>") >= 30_000);
        assertThat(texts).anyMatch(t -> t.length() >= 500 * 1024 && t.contains("Subject: folded\r\n "));
        assertThat(texts).anyMatch(t -> count(t, "--e\r\n\r\n") == 10_000);
        assertThat(texts).anyMatch(t -> t.contains("boundary=\"level-24\"") && !t.contains("--level-0--"));
        assertThat(texts).anyMatch(t -> t.contains("--level-24--") && t.contains("--level-0--"));
        assertThat(texts).anyMatch(t -> t.contains("X-Portcullis-Score: -100"));
        assertThat(texts).anyMatch(t -> t.indexOf('\u0000') >= 0);
        assertThat(texts).anyMatch(t -> t.contains("\n") && !t.contains("\r"));
        assertThat(texts).anyMatch(t -> count(t, "\r\nFrom: ") + (t.startsWith("From: ") ? 1 : 0) >= 3);
        assertThat(texts).anyMatch(t -> t.contains("\"" + "<".repeat(1_000)));
        assertThat(texts).anyMatch(t -> t.contains("%E2%80%AE") || t.contains("\u00e2\u0080\u00ae"));
    }

    private static int count(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length())) {
            count++;
        }
        return count;
    }
}
