package io.portcullis.matchers.direction;

import java.util.Collection;
import java.util.List;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMatcher;

import com.google.common.collect.ImmutableList;

import io.portcullis.config.Parameter;
import io.portcullis.direction.Direction;

/**
 * Matches every recipient of a message travelling in the given direction. Uses the attribute set by
 * {@code SetDirection} when present, otherwise what the SMTP session says (authenticated or relay network =
 * outbound).
 */
public class DirectionIs extends GenericMatcher {
    public static final List<Parameter> PARAMETERS = List.of(
        Parameter.required("condition", "`inbound` or `outbound`"));

    private Direction direction;

    @Override
    public void init() throws MessagingException {
        String condition = getCondition() == null ? "" : getCondition();
        direction = Direction.parse(condition)
            .orElseThrow(() -> new MessagingException("DirectionIs: invalid condition '" + condition + "': expected inbound or outbound"));
    }

    @Override
    public Collection<MailAddress> match(Mail mail) {
        Direction actual = Direction.of(mail).orElseGet(() -> Direction.detect(mail));
        if (actual == direction) {
            return ImmutableList.copyOf(mail.getRecipients());
        }
        return ImmutableList.of();
    }
}
