package io.portcullis.matchers.score;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMatcher;

import com.google.common.collect.ImmutableList;

import io.portcullis.config.Parameter;
import io.portcullis.mail.PortcullisAttributes;
import io.portcullis.scoring.ScoreSheet;

/**
 * Matches every recipient of a message in which a threat was found ({@code portcullis.threat} set, e.g. by
 * {@code ScoreFilter check=attachments} on the EICAR test file), so that the flow holds it in the threat area
 * whatever its score. With a condition, only that threat name matches.
 */
public class ThreatFound extends GenericMatcher {
    public static final List<Parameter> PARAMETERS = List.of(
        Parameter.optional("condition", "", "empty for any threat, or one threat name (e.g. EICAR-Test-File)"));

    private Optional<String> threat;

    @Override
    public void init() throws MessagingException {
        String condition = getCondition() == null ? "" : getCondition().trim();
        if (condition.contains(",") || condition.contains(" ")) {
            throw new MessagingException("ThreatFound: invalid condition '" + condition + "': expected nothing or a single threat name such as EICAR-Test-File");
        }
        threat = condition.isEmpty() ? Optional.empty() : Optional.of(condition);
    }

    @Override
    public Collection<MailAddress> match(Mail mail) {
        Optional<String> found = ScoreSheet.string(mail, PortcullisAttributes.THREAT).filter(value -> !value.isBlank());
        boolean matches = found.isPresent() && threat.map(expected -> expected.equalsIgnoreCase(found.get())).orElse(true);
        return matches ? ImmutableList.copyOf(mail.getRecipients()) : ImmutableList.of();
    }
}
