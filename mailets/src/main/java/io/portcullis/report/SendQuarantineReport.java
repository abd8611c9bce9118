package io.portcullis.report;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;

import javax.inject.Inject;
import javax.mail.Address;
import javax.mail.MessagingException;
import javax.mail.internet.InternetAddress;

import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;
import org.apache.james.core.Username;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.domainlist.api.DomainListException;
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
 * <p>Who gets the report: the requester, always at an address of one of our domains. An SMTP-authenticated
 * sender gets the report of its own address; of the From address only when that address is the user itself or
 * one of its aliases ({@link CanSendFrom}). A sender from a relay network (no authentication) gets the report of
 * the From address, only when both the From address and the envelope sender are addresses of our domains. Any
 * other request (a From or envelope outside our domains, a null sender, no single From address) is not answered
 * at all, so that the gateway never mails a report to a third party. A request never yields a report about
 * somebody else's mail. Requests are rate limited per address and for the whole gateway, in the gateway store;
 * each one is logged in QuarantineReports.log and tracked (event "Quarantine report requested").
 */
public class SendQuarantineReport extends GenericMailet {
    public static final List<Parameter> PARAMETERS = List.of(
        Parameter.optional("maxPerHour", "", "requests answered per address per hour; empty = report.request.maxPerHour of conf/portcullis.properties (5)"),
        Parameter.optional("days", "", "the report lists what was held in the last N days; empty = report.days of conf/portcullis.properties (14)"));

    private final ReportService service;
    private final Optional<CanSendFrom> canSendFrom;
    private final Predicate<Domain> localDomain;
    private int maxPerHour;
    private int days;

    @Inject
    public SendQuarantineReport(ReportService service, CanSendFrom canSendFrom, DomainList domains) {
        this(service, Optional.of(canSendFrom), domain -> isOurs(domains, domain));
    }

    /** @param localDomain whether a domain is one of ours (the domain list in the server) */
    public SendQuarantineReport(ReportService service, Optional<CanSendFrom> canSendFrom, Predicate<Domain> localDomain) {
        this.service = service;
        this.canSendFrom = canSendFrom;
        this.localDomain = localDomain;
    }

    private static boolean isOurs(DomainList domains, Domain domain) {
        try {
            return domains.containsDomain(domain);
        } catch (DomainListException | RuntimeException e) {
            ReportService.REPORT_LOG.warn("domain list unavailable, {} taken as not ours: {}", domain.asString(), e.getMessage());
            return false;
        }
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
        Optional<MailAddress> envelope = mail.getMaybeSender().asOptional();
        Optional<MailAddress> reportFor;
        String requestedBy;
        Optional<String> refusal = Optional.empty();
        if (authUser.isPresent()) {
            MailAddress identity = identity(authUser.get());
            requestedBy = "user " + authUser.get();
            reportFor = Optional.of(from.filter(f -> belongsTo(authUser.get(), identity, f)).orElse(identity));
        } else {
            requestedBy = "relay " + mail.getRemoteAddr() + " from " + from.map(MailAddress::asString).orElse("(none)")
                + " envelope " + envelope.map(MailAddress::asString).orElse("<>");
            reportFor = from;
            if (from.isPresent() && !isLocal(from.get())) {
                refusal = Optional.of("From address " + from.get().asString() + " is not an address of our domains");
            } else if (envelope.isEmpty()) {
                refusal = Optional.of("null envelope sender");
            } else if (!isLocal(envelope.get())) {
                refusal = Optional.of("envelope sender " + envelope.get().asString() + " is not an address of our domains");
            }
        }
        if (reportFor.isEmpty()) {
            refusal = Optional.of("no single usable From address");
        } else if (refusal.isEmpty() && !isLocal(reportFor.get())) {
            refusal = Optional.of(reportFor.get().asString() + " is not an address of our domains");
        }
        if (refusal.isPresent()) {
            service.refuse(requestedBy, reportFor, refusal.get(), trackingId);
        } else {
            service.request(reportFor.get(), requestedBy, days, maxPerHour, trackingId);
        }
        mail.setState(Mail.GHOST);
    }

    private boolean isLocal(MailAddress address) {
        return localDomain.test(address.getDomain());
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
