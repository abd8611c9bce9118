package io.portcullis.matchers.stalled;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMatcher;

import com.google.common.collect.ImmutableList;

import io.portcullis.config.Parameter;
import io.portcullis.mail.PortcullisAttributes;

/**
 * Matches the recipients of a message that {@code DetectUnscannable} found unscannable
 * ({@code portcullis.unscannable} set), except those whose encrypted mail is allowed by the direction's allow
 * list ({@code portcullis.unscannableBypass}) and except copies re-injected by "force" ({@code portcullis.forced}).
 * When only some recipients match, James splits the message: the others go on.
 */
public class IsUnscannable extends GenericMatcher {
    public static final List<Parameter> PARAMETERS = List.of(
        Parameter.optional("condition", "", "none: write `IsUnscannable` without `=...`"));

    @Override
    public void init() throws MessagingException {
        String condition = getCondition();
        if (condition != null && !condition.isBlank()) {
            throw new MessagingException("IsUnscannable: invalid condition '" + condition + "': expected none (write match=\"IsUnscannable\")");
        }
    }

    @Override
    public Collection<MailAddress> match(Mail mail) {
        if (mail.getAttribute(PortcullisAttributes.FORCED).isPresent()
                || mail.getAttribute(PortcullisAttributes.UNSCANNABLE_REASON).isEmpty()) {
            return ImmutableList.of();
        }
        Set<String> bypass = mail.getAttribute(PortcullisAttributes.UNSCANNABLE_BYPASS)
            .map(attribute -> attribute.getValue().value())
            .filter(Collection.class::isInstance)
            .map(value -> ((Collection<?>) value).stream()
                .map(v -> v instanceof AttributeValue<?> ? ((AttributeValue<?>) v).value() : v)
                .map(v -> String.valueOf(v).toLowerCase(java.util.Locale.ROOT))
                .collect(Collectors.toSet()))
            .orElse(Set.of());
        return mail.getRecipients().stream()
            .filter(recipient -> !bypass.contains(recipient.asString().toLowerCase(java.util.Locale.ROOT)))
            .collect(ImmutableList.toImmutableList());
    }
}
