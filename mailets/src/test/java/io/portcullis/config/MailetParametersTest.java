package io.portcullis.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import javax.mail.MessagingException;

import org.junit.jupiter.api.Test;

class MailetParametersTest {
    private static final List<Parameter> SPEC = List.of(
        Parameter.required("check", "the check to run"),
        Parameter.optional("score", "10", "points added"),
        Parameter.optional("retention", "14d", "how long"));

    @Test
    void parseShouldThrowWhenUnknownParameter() {
        assertThatThrownBy(() -> MailetParameters.parse("ScoreFilter", Map.of("check", "size", "scroe", "3"), SPEC))
            .isInstanceOf(MessagingException.class)
            .hasMessageContaining("ScoreFilter")
            .hasMessageContaining("scroe")
            .hasMessageContaining("[check, score, retention]");
    }

    @Test
    void parseShouldThrowWhenRequiredParameterMissing() {
        assertThatThrownBy(() -> MailetParameters.parse("ScoreFilter", Map.of("score", "3"), SPEC))
            .isInstanceOf(MessagingException.class)
            .hasMessageContaining("'check' is required");
    }

    @Test
    void integerShouldNameParameterAndValueWhenInvalid() throws Exception {
        MailetParameters parameters = MailetParameters.parse("ScoreFilter", Map.of("check", "size", "score", "ten"), SPEC);

        assertThatThrownBy(() -> parameters.integer("score", 0, 1000))
            .hasMessage("ScoreFilter: parameter 'score' has invalid value 'ten': expected an integer between 0 and 1000");
    }

    @Test
    void integerShouldRejectOutOfRangeInsteadOfFallingBack() throws Exception {
        MailetParameters parameters = MailetParameters.parse("ScoreFilter", Map.of("check", "size", "score", "-5"), SPEC);

        assertThatThrownBy(() -> parameters.integer("score", 0, 1000)).hasMessageContaining("'-5'");
    }

    @Test
    void defaultsShouldApplyWhenParameterAbsent() throws Exception {
        MailetParameters parameters = MailetParameters.parse("ScoreFilter", Map.of("check", "size"), SPEC);

        assertThat(parameters.integer("score", 0, 1000)).isEqualTo(10);
        assertThat(parameters.duration("retention", ChronoUnit.DAYS)).isEqualTo(Duration.ofDays(14));
    }

    @Test
    void durationShouldRejectGarbage() throws Exception {
        MailetParameters parameters = MailetParameters.parse("Quarantine", Map.of("check", "x", "retention", "fortnight"), SPEC);

        assertThatThrownBy(() -> parameters.duration("retention", ChronoUnit.DAYS))
            .hasMessageContaining("'retention' has invalid value 'fortnight'");
    }

    @Test
    void markdownTableShouldListEveryParameterWithDefault() {
        assertThat(ParameterDocs.markdownTable(SPEC)).isEqualTo(
            "| parameter | default | description |\n|---|---|---|\n"
                + "| `check` | required | the check to run |\n"
                + "| `score` | `10` | points added |\n"
                + "| `retention` | `14d` | how long |\n");
    }
}
