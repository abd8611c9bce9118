package io.portcullis.checks;

import java.util.List;
import java.util.Map;

import javax.mail.MessagingException;

import org.apache.mailet.Mail;

import io.portcullis.config.MailetParameters;
import io.portcullis.config.Parameter;
import io.portcullis.scoring.Check;
import io.portcullis.scoring.CheckDefinition;
import io.portcullis.scoring.Finding;

/**
 * {@code check=spf}: SPF of the envelope sender for the connecting IP, each result scored separately. "SPF fail:
 * sender.example does not allow 192.0.2.99 to send its mail: +50", rule {@code spam:spf}. A temperror (DNS
 * could not be queried) is a "could not be checked" reason, rule {@code check:tempfail}. Results scored 0 add
 * no reason (except temperror, always reported).
 */
public final class SpfCheck implements Check {
    public static final String RULE = "spam:spf";
    static final List<String> RESULTS = List.of("pass", "fail", "softfail", "neutral", "none", "temperror", "permerror");

    public static final CheckDefinition DEFINITION = new CheckDefinition("spf",
        "SPF of the envelope sender for the connecting IP; every result scored separately",
        List.of(
            Parameter.optional("scorePass", "0", "points when SPF passes (a negative number lowers the score)"),
            Parameter.optional("scoreFail", "50", "points when the sender's SPF record forbids the connecting IP (-all)"),
            Parameter.optional("scoreSoftfail", "20", "points for an SPF softfail (~all)"),
            Parameter.optional("scoreNeutral", "0", "points for an SPF neutral result (?all)"),
            Parameter.optional("scoreNone", "0", "points when the sender's domain publishes no SPF record"),
            Parameter.optional("scoreTemperror", "0", "points when SPF could not be checked because DNS failed (reported in any case)"),
            Parameter.optional("scorePermerror", "10", "points when the sender's SPF record is broken")),
        SpfCheck::create);

    private final SpfEvaluator evaluator;
    private final Map<String, Integer> scores;

    public SpfCheck(SpfEvaluator evaluator, Map<String, Integer> scores) {
        this.evaluator = evaluator;
        this.scores = Map.copyOf(scores);
    }

    private static SpfCheck create(MailetParameters parameters, io.portcullis.scoring.CheckEnvironment environment) throws MessagingException {
        Map<String, Integer> scores = new java.util.HashMap<>();
        for (String result : RESULTS) {
            String name = "score" + Character.toUpperCase(result.charAt(0)) + result.substring(1);
            scores.put(result, parameters.integer(name, -1000, 1000));
        }
        return new SpfCheck(new SpfEvaluator(environment.dns()), scores);
    }

    @Override
    public List<Finding> evaluate(Mail mail) {
        SpfEvaluator.Outcome outcome = evaluator.evaluate(mail);
        int points = scores.getOrDefault(outcome.result(), 0);
        String domain = outcome.domain();
        String ip = outcome.ip();
        return switch (outcome.result()) {
            case "temperror" -> List.of(new Finding(points, "SPF of " + domain + " could not be checked"
                + outcome.detail().map(d -> ": " + d).orElse(" (temperror)"), Finding.TEMPFAIL));
            case "pass" -> points == 0 ? List.of() : List.of(new Finding(points, "SPF pass: " + domain + " allows " + ip, RULE));
            case "fail" -> points == 0 ? List.of() : List.of(new Finding(points, "SPF fail: " + domain + " does not allow " + ip + " to send its mail", RULE));
            case "softfail" -> points == 0 ? List.of() : List.of(new Finding(points, "SPF softfail: " + domain + " does not designate " + ip + " as a sender", RULE));
            case "neutral" -> points == 0 ? List.of() : List.of(new Finding(points, "SPF neutral: " + domain + " says nothing about " + ip, RULE));
            case "none" -> points == 0 ? List.of() : List.of(new Finding(points, "SPF none: " + domain + " publishes no SPF record", RULE));
            default -> points == 0 ? List.of() : List.of(new Finding(points, "SPF permerror: the SPF record of " + domain + " is invalid", RULE));
        };
    }
}
