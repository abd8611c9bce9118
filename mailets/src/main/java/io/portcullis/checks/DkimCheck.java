package io.portcullis.checks;

import java.util.ArrayList;
import java.util.List;

import org.apache.mailet.Mail;

import io.portcullis.config.Parameter;
import io.portcullis.scoring.Check;
import io.portcullis.scoring.CheckDefinition;
import io.portcullis.scoring.Finding;

/**
 * {@code check=dkim}: verifies the message's DKIM signatures, each on its own. A signature that does not verify
 * (and none that does): "DKIM signature does not verify (signature of sender.example: ...): +40", rule
 * {@code spam:dkimhardfail}; a key that could not be fetched is a "could not be checked" reason
 * ({@code check:tempfail}). Only the first {@value DkimEvaluator#MAX_SIGNATURES} signatures are checked; the
 * others add "DKIM: 295 signatures beyond the first 5 were not checked: +0" (rule {@code check:dkimcap}).
 */
public final class DkimCheck implements Check {
    public static final String RULE_FAIL = "spam:dkimhardfail";
    public static final String RULE_UNSIGNED = "spam:dkimnone";
    public static final String RULE_VALID = "spam:dkimpass";
    public static final String RULE_CAPPED = "check:dkimcap";
    public static final CheckDefinition DEFINITION = new CheckDefinition("dkim",
        "DKIM signature verification",
        List.of(
            Parameter.optional("score", "40", "points when a DKIM signature is present but none verifies (hard fail)"),
            Parameter.optional("scoreUnsigned", "0", "points when the message carries no DKIM signature"),
            Parameter.optional("scoreValid", "0", "points when a signature verifies (a negative number lowers the score)")),
        (parameters, environment) -> new DkimCheck(new DkimEvaluator(environment.dns()),
            parameters.integer("score", -1000, 1000), parameters.integer("scoreUnsigned", -1000, 1000),
            parameters.integer("scoreValid", -1000, 1000)));

    private final DkimEvaluator evaluator;
    private final int scoreFail;
    private final int scoreUnsigned;
    private final int scoreValid;

    public DkimCheck(DkimEvaluator evaluator, int scoreFail, int scoreUnsigned, int scoreValid) {
        this.evaluator = evaluator;
        this.scoreFail = scoreFail;
        this.scoreUnsigned = scoreUnsigned;
        this.scoreValid = scoreValid;
    }

    @Override
    public List<Finding> evaluate(Mail mail) throws Exception {
        DkimEvaluator.Outcome outcome = evaluator.evaluate(mail);
        List<Finding> findings = new ArrayList<>(findings(outcome));
        if (outcome.unchecked() > 0) {
            findings.add(new Finding(0, "DKIM: " + outcome.unchecked() + " signature" + (outcome.unchecked() == 1 ? "" : "s")
                + " beyond the first " + DkimEvaluator.MAX_SIGNATURES + " were not checked", RULE_CAPPED));
        }
        return findings;
    }

    private List<Finding> findings(DkimEvaluator.Outcome outcome) {
        return switch (outcome.result()) {
            case "pass" -> scoreValid == 0 ? List.of()
                : List.of(new Finding(scoreValid, "DKIM signature of " + String.join(", ", outcome.domains()) + " verifies", RULE_VALID));
            case "none" -> scoreUnsigned == 0 ? List.of() : List.of(new Finding(scoreUnsigned, "message has no DKIM signature", RULE_UNSIGNED));
            case "temperror" -> List.of(Finding.couldNotRun("DKIM could not be checked: " + outcome.detail()));
            default -> List.of(new Finding(scoreFail, "DKIM signature does not verify (" + outcome.detail() + ")", RULE_FAIL));
        };
    }
}
