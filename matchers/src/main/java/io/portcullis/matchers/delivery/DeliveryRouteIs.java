package io.portcullis.matchers.delivery;

import java.util.Collection;
import java.util.List;
import java.util.Locale;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetContext;
import org.apache.mailet.base.GenericMatcher;

import com.google.common.collect.ImmutableList;

import io.portcullis.config.Parameter;
import io.portcullis.delivery.DeliveryConfiguration;
import io.portcullis.delivery.DeliveryRoute;

/**
 * Matches the recipients of our domains that the delivery mode of their domain ({@code conf/delivery.properties})
 * sends the given way: {@code local} (standalone and hybrid domains, the user exists here) or {@code forward}
 * (spam-filter domains, and hybrid domains when the user does not exist here). Recipients of other domains never match.
 */
public class DeliveryRouteIs extends GenericMatcher {
    public static final List<Parameter> PARAMETERS = List.of(
        Parameter.required("condition", "`local` (recipients delivered to a local mailbox) or `forward` (recipients relayed to the downstream server)"));

    private final DeliveryConfiguration configuration;
    private DeliveryRoute route;

    @Inject
    public DeliveryRouteIs(DeliveryConfiguration configuration) {
        this.configuration = configuration;
    }

    @Override
    public void init() throws MessagingException {
        String condition = getCondition() == null ? "" : getCondition().trim().toLowerCase(Locale.ROOT);
        if (condition.equals("local")) {
            route = DeliveryRoute.LOCAL;
        } else if (condition.equals("forward")) {
            route = DeliveryRoute.FORWARD;
        } else {
            throw new MessagingException("DeliveryRouteIs: invalid condition '" + getCondition() + "': expected local or forward");
        }
    }

    @Override
    public Collection<MailAddress> match(Mail mail) {
        MailetContext context = getMailetContext();
        return mail.getRecipients().stream()
            .filter(recipient -> context.isLocalServer(recipient.getDomain()))
            .filter(recipient -> configuration.route(recipient.getDomain(), () -> context.isLocalEmail(recipient)) == route)
            .collect(ImmutableList.toImmutableList());
    }
}
