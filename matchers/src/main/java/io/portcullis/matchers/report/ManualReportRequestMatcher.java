package io.portcullis.matchers.report;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMatcher;

import com.google.common.collect.ImmutableList;

import io.portcullis.config.Parameter;
import io.portcullis.direction.Direction;

/**
 * Matches the recipients of an on-demand quarantine report request: those whose local part is
 * {@code manual-report-request} (or the local part given as condition), whatever their domain, so that
 * {@code manual-report-request@reports.example.com} works as well as {@code manual-report-request@example.com}.
 * A request only counts when its sender is SMTP-authenticated or connects from a relay network; from anybody
 * else the matcher matches nothing, so the message is neither treated as a request nor relayed as one.
 */
public class ManualReportRequestMatcher extends GenericMatcher {
    public static final String DEFAULT_LOCAL_PART = "manual-report-request";
    private static final Pattern LOCAL_PART = Pattern.compile("[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+");
    public static final List<Parameter> PARAMETERS = List.of(
        Parameter.optional("condition", DEFAULT_LOCAL_PART,
            "the local part that requests a report (any domain), compared case-insensitively; letters, digits and `.-_+` etc."));

    private String localPart;

    @Override
    public void init() throws MessagingException {
        String condition = getCondition() == null || getCondition().isBlank() ? DEFAULT_LOCAL_PART : getCondition().trim();
        if (!LOCAL_PART.matcher(condition).matches()) {
            throw new MessagingException("ManualReportRequestMatcher: invalid condition '" + condition
                + "': expected an email local part such as " + DEFAULT_LOCAL_PART);
        }
        localPart = condition.toLowerCase(Locale.ROOT);
    }

    @Override
    public Collection<MailAddress> match(Mail mail) {
        if (Direction.detect(mail) != Direction.OUTBOUND) {
            return ImmutableList.of();
        }
        return mail.getRecipients().stream()
            .filter(recipient -> recipient.getLocalPart().toLowerCase(Locale.ROOT).equals(localPart))
            .collect(ImmutableList.toImmutableList());
    }

    @Override
    public String getMatcherInfo() {
        return "Portcullis ManualReportRequestMatcher";
    }
}
