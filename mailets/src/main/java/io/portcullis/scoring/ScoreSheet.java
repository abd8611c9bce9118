package io.portcullis.scoring;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;

import io.portcullis.mail.PortcullisAttributes;

/**
 * Reads and adds to a mail's score: {@link PortcullisAttributes#SCORE} (Integer total),
 * {@link PortcullisAttributes#REASONS} (List of String, one readable line per finding) and
 * {@link PortcullisAttributes#TRIGGERED_RULES} (List of String, distinct system names).
 */
public final class ScoreSheet {
    private ScoreSheet() {
    }

    public static int score(Mail mail) {
        return mail.getAttribute(PortcullisAttributes.SCORE)
            .map(attribute -> attribute.getValue().value())
            .map(value -> value instanceof Number number ? number.intValue() : parse(String.valueOf(value)))
            .orElse(0);
    }

    private static int parse(String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    public static List<String> reasons(Mail mail) {
        return strings(mail, PortcullisAttributes.REASONS);
    }

    public static List<String> rules(Mail mail) {
        return strings(mail, PortcullisAttributes.TRIGGERED_RULES);
    }

    public static List<String> strings(Mail mail, AttributeName name) {
        Optional<Attribute> attribute = mail.getAttribute(name);
        if (attribute.isEmpty()) {
            return List.of();
        }
        Object value = attribute.get().getValue().value();
        List<String> result = new ArrayList<>();
        if (value instanceof List<?> list) {
            for (Object item : list) {
                result.add(String.valueOf(item instanceof AttributeValue<?> av ? av.value() : item));
            }
        } else {
            result.add(String.valueOf(value));
        }
        return result;
    }

    public static Optional<String> string(Mail mail, AttributeName name) {
        return mail.getAttribute(name).map(attribute -> String.valueOf(attribute.getValue().value()));
    }

    /** Adds the points, appends the readable reason and records the rule (once). */
    public static void add(Mail mail, Finding finding) {
        mail.setAttribute(new Attribute(PortcullisAttributes.SCORE, AttributeValue.of(score(mail) + finding.points())));
        List<String> reasons = new ArrayList<>(reasons(mail));
        reasons.add(finding.describe());
        setStrings(mail, PortcullisAttributes.REASONS, reasons);
        List<String> rules = new ArrayList<>(rules(mail));
        if (!rules.contains(finding.rule())) {
            rules.add(finding.rule());
        }
        setStrings(mail, PortcullisAttributes.TRIGGERED_RULES, rules);
    }

    public static void setStrings(Mail mail, AttributeName name, List<String> values) {
        List<AttributeValue<?>> list = new ArrayList<>();
        values.forEach(value -> list.add(AttributeValue.of(value)));
        mail.setAttribute(new Attribute(name, AttributeValue.of(list)));
    }

    public static void setString(Mail mail, AttributeName name, String value) {
        mail.setAttribute(new Attribute(name, AttributeValue.of(value)));
    }
}
