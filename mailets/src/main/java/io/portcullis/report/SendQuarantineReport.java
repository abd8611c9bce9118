package io.portcullis.report;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

import javax.inject.Inject;
import javax.mail.Address;
import javax.mail.MessagingException;
import javax.mail.internet.InternetAddress;

import org.apache.james.core.MailAddress;
import org.apache.james.core.Username;
import org.apache.james.rrt.api.CanSendFrom;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;

import io.portcullis.config.MailetParameters;
import io.portcullis.config.Parameter;
import io.portcullis.mail.PortcullisAttributes;

/**
 * Answers a quarantine report request (mail to {@code manual-report-request@...} matched by
 * {@code ManualReportRequestMatcher}): sends the requester the report of what is held for them, or the
 * "nothing held" reply, and consumes the request (state GHOST: never delivered nor relayed).
 *
 * <p>Who gets the report: an SMTP-authenticated sender gets the report of its own address; of the From address
 * only when that address is the user itself or one of its aliases ({@link CanSendFrom}). A sender from a relay
 * network (no authentication) gets the report of the From address. A request never yields a report about
 * somebody else's mail. Requests are rate limited per address; each one is logged in QuarantineReports.log and
 * tracked (event "Quarantine report requested").
 */
public class SendQuarantineReport extends GenericMailet {
    public static final List<Parameter> PARAMETERS = List.of(
        Parameter.optional("maxPerHour", "", "requests answered per address per hour; empty = report.request.maxPerHour of conf/portcullis.properties (5)"),
        Parameter.optional("days", "", "the report lists what was held in the last N days; empty = report.days of conf/portcullis.properties (14)"));

    private final ReportService service;
    private final Optional<CanSendFrom> canSendFrom;
    private int maxPerHour;
    private int days;

    @Inject
    public SendQuarantineReport(ReportService service, CanSendFrom canSendFrom) {
        this(service, Optional.of(canSendFrom));
    }

    public SendQuarantineReport(ReportService service, Optional<CanSendFrom> canSendFrom) {
        this.service = service;
        this.canSendFrom = canSendFrom;
    }

    @Override
    public void init() throws MessagingException {
        MailetParameters parameters = MailetParameters.parse(getMailetConfig(), PARAMETERS);
        maxPerHour = parameters.optionalString("maxPerHour").isPresent() ? parameters.integer("maxPerHour", 1, 10000)
            : service.configuration().maxPerHour();
        days = parameters.optionalString("days").isPresent() ? parameters.integer("days", 1, 3650)
            : service.configuration().days();
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        Optional<String> trackingId = mail.getAttribute(PortcullisAttributes.TRACKING_ID)
            .map(Attribute::getValue).map(AttributeValue::value).map(String::valueOf);
        Optional<String> authUser = mail.getAttribute(Mail.SMTP_AUTH_USER)
            .map(Attribute::getValue).map(AttributeValue::value).map(String::valueOf);
        Optional<MailAddress> from = fromAddress(mail);
        Optional<MailAddress> reportFor;
        String requestedBy;
        if (authUser.isPresent()) {
            MailAddress identity = identity(authUser.get());
            requestedBy = "user " + authUser.get();
            reportFor = Optional.of(from.filter(f -> belongsTo(authUser.get(), identity, f)).orElse(identity));
        } else {
            requestedBy = "relay " + mail.getRemoteAddr() + " from " + from.map(MailAddress::asString).orElse("(none)");
            reportFor = from;
        }
        if (reportFor.isEmpty()) {
            ReportService.REPORT_LOG.info("request by={} not answered: no usable From address", requestedBy);
        } else {
            service.request(reportFor.get(), requestedBy, days, maxPerHour, trackingId);
        }
        mail.setState(Mail.GHOST);
    }

    private MailAddress identity(String user) throws MessagingException {
        try {
            if (user.contains("@")) {
                return new MailAddress(user);
            }
            return new MailAddress(user, getMailetContext().getPostmaster().getDomain());
        } catch (Exception e) {
            throw new MessagingException("authenticated user '" + user + "' has no usable address", e);
        }
    }

    private boolean belongsTo(String user, MailAddress identity, MailAddress from) {
        if (from.asString().equalsIgnoreCase(identity.asString())) {
            return true;
        }
        try {
            return canSendFrom.map(c -> c.userCanSendFrom(Username.of(user), Username.fromMailAddress(from))).orElse(false);
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static Optional<MailAddress> fromAddress(Mail mail) {
        try {
            Address[] from = mail.getMessage().getFrom();
            if (from == null || from.length != 1 || !(from[0] instanceof InternetAddress)) {
                return Optional.empty();
            }
            return Optional.of(new MailAddress(((InternetAddress) from[0]).getAddress().toLowerCase(Locale.ROOT)));
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    @Override
    public String getMailetInfo() {
        return "SendQuarantineReport";
    }
}
