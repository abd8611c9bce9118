package io.portcullis.report;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.mailet.MailetContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.portcullis.quarantine.ActionResult;
import io.portcullis.quarantine.Area;
import io.portcullis.quarantine.EntryPage;
import io.portcullis.quarantine.EntryState;
import io.portcullis.quarantine.ListCriteria;
import io.portcullis.quarantine.QuarantineEntry;
import io.portcullis.quarantine.QuarantineService;
import io.portcullis.report.render.ReportItem;
import io.portcullis.report.render.ReportRenderer;
import io.portcullis.report.token.ReportTokens;
import io.portcullis.tracking.EventType;
import io.portcullis.tracking.MessageTracker;
import io.portcullis.tracking.TrackedEvent;

/**
 * Quarantine reports: on-demand (the {@code SendQuarantineReport} mailet), scheduled runs
 * ({@link ReportScheduler}, {@code POST /portcullis/reports}) and the actions of the signed links
 * ({@code /portcullis/public/report-action}). Every request, run and action is written to the
 * {@code QuarantineReports} logger (logs/QuarantineReports.log).
 */
public class ReportService {
    public static final Logger REPORT_LOG = LoggerFactory.getLogger("QuarantineReports");
    public static final String RELEASE = "release";
    public static final String REQUEST_RELEASE = "requestRelease";
    public static final String DELETE = "delete";
    public static final String ALLOW = "allowSender";
    public static final List<String> ACTIONS = List.of(RELEASE, REQUEST_RELEASE, DELETE, ALLOW);
    public static final String ROUTE = "/portcullis/public/report-action";

    /** Where built reports go: the mail queue in the server, a counting sink in the benchmark. */
    public interface ReportSink {
        void send(MailAddress from, MailAddress to, MimeMessage report) throws MessagingException;
    }

    public enum RequestOutcome { SENT, NOTHING_HELD_SENT, RATE_LIMITED, REFUSED, FAILED }

    /** The window of the on-demand rate limits. */
    public static final Duration REQUEST_WINDOW = Duration.ofHours(1);

    public record RunSummary(int recipients, int reportsSent, int items, int failures) {
    }

    /** What a link would do, for the confirmation page. */
    public record LinkView(ReportTokens.Claims claims, QuarantineEntry entry) {
    }

    public static class LinkException extends Exception {
        private final int status;

        public LinkException(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    private final QuarantineService quarantine;
    private final ReportStore store;
    private final ReportTokens tokens;
    private final MessageTracker tracker;
    private final MailetContext context;
    private final ReportConfiguration configuration;
    private final Clock clock;
    private final ReportSink sink;
    private final ReportRenderer renderer;

    public ReportService(QuarantineService quarantine, ReportStore store, ReportTokens tokens, MessageTracker tracker,
                         MailetContext context, ReportConfiguration configuration, Clock clock, ReportSink sink) {
        this.quarantine = quarantine;
        this.store = store;
        this.tokens = tokens;
        this.tracker = tracker;
        this.context = context;
        this.configuration = configuration;
        this.clock = clock;
        this.sink = sink;
        this.renderer = new ReportRenderer(configuration.zone());
    }

    /**
     * Reports are our own mail: they are enqueued straight into {@code processor} (the quarantine's release
     * processor, {@code deliver}), not scanned again (their many links would score).
     */
    public static ReportSink contextSink(MailetContext context, String processor) {
        java.util.concurrent.atomic.AtomicLong counter = new java.util.concurrent.atomic.AtomicLong();
        return (from, to, report) -> {
            org.apache.james.server.core.MailImpl mail = org.apache.james.server.core.MailImpl.builder()
                .name("portcullis-report-" + System.currentTimeMillis() + "-" + counter.incrementAndGet())
                .sender(from)
                .addRecipient(to)
                .mimeMessage(report)
                .build();
            try {
                context.sendMail(mail, processor);
            } finally {
                org.apache.james.lifecycle.api.LifecycleUtil.dispose(mail);
            }
        };
    }

    public ReportConfiguration configuration() {
        return configuration;
    }

    // ------------------------------------------------------------------ on demand

    /**
     * A request from {@code requestedBy} (the authenticated user or the relay-network From) for the report
     * of {@code reportFor}, rate limited per {@code reportFor} ({@code maxPerHour}) and for the whole gateway
     * ({@code report.request.maxPerHourTotal}), both counted in the gateway store (they hold across restarts and
     * nodes). The caller has already checked that {@code reportFor} belongs to the requester and is one of our
     * addresses.
     */
    public RequestOutcome request(MailAddress reportFor, String requestedBy, int days, int maxPerHour, Optional<String> trackingId) {
        String address = reportFor.asString().toLowerCase(Locale.ROOT);
        RequestOutcome outcome;
        int count = 0;
        String why = "";
        ReportStore.Admission admission;
        try {
            admission = store.admitRequest(address, clock.instant(), REQUEST_WINDOW, maxPerHour, configuration.maxPerHourTotal());
        } catch (SQLException e) {
            admission = null;
            why = "rate limit not readable: " + e.getMessage();
        }
        if (admission == null) {
            outcome = RequestOutcome.FAILED;
        } else if (admission == ReportStore.Admission.ADDRESS_LIMIT) {
            outcome = RequestOutcome.RATE_LIMITED;
            why = "more than " + maxPerHour + " requests for this address in the last hour";
        } else if (admission == ReportStore.Admission.TOTAL_LIMIT) {
            outcome = RequestOutcome.RATE_LIMITED;
            why = "more than " + configuration.maxPerHourTotal() + " requests on the gateway in the last hour"
                + " (report.request.maxPerHourTotal)";
        } else {
            try {
                List<QuarantineEntry> entries = heldFor(address, Optional.of(clock.instant().minus(Duration.ofDays(days))));
                count = entries.size();
                sink.send(sender(), reportFor, build(address, entries, days));
                outcome = entries.isEmpty() ? RequestOutcome.NOTHING_HELD_SENT : RequestOutcome.SENT;
                store.setLastReport(address, clock.instant());
            } catch (MessagingException | SQLException | RuntimeException e) {
                outcome = RequestOutcome.FAILED;
                why = e.getMessage();
            }
        }
        REPORT_LOG.info("request by={} for={} items={} outcome={}{}", requestedBy, address, count, outcome,
            why.isEmpty() ? "" : " reason=\"" + why + "\"");
        track(trackingId, requestedBy, address, outcome, count, why);
        return outcome;
    }

    /**
     * A request that is not answered at all ({@code why}: e.g. the From address is not one of our domains): no mail
     * is sent to anybody; logged in QuarantineReports.log and tracked with outcome REFUSED.
     */
    public RequestOutcome refuse(String requestedBy, Optional<MailAddress> reportFor, String why, Optional<String> trackingId) {
        String address = reportFor.map(a -> a.asString().toLowerCase(Locale.ROOT)).orElse("(none)");
        REPORT_LOG.warn("request by={} for={} items=0 outcome={} reason=\"{}\"", requestedBy, address, RequestOutcome.REFUSED, why);
        track(trackingId, requestedBy, address, RequestOutcome.REFUSED, 0, why);
        return RequestOutcome.REFUSED;
    }

    private void track(Optional<String> trackingId, String requestedBy, String address, RequestOutcome outcome, int count, String why) {
        trackingId.ifPresent(id -> {
            Map<String, String> info = new LinkedHashMap<>();
            info.put("Requested by", requestedBy);
            info.put("Report for", address);
            info.put("Outcome", outcome.name());
            info.put("Items", String.valueOf(count));
            if (!why.isEmpty()) {
                info.put("Reason", why);
            }
            try {
                tracker.record(new TrackedEvent(id, EventType.REPORT_REQUESTED, clock.instant(), info));
            } catch (RuntimeException e) {
                REPORT_LOG.warn("could not track report request {}: {}", id, e.getMessage());
            }
        });
    }

    // ------------------------------------------------------------------ scheduled

    /** One scheduled run (or a manual one for {@code onlyRecipient}). */
    public RunSummary run(Optional<String> onlyRecipient) {
        Instant started = clock.instant();
        int days = configuration.days();
        List<String> recipients;
        try {
            recipients = onlyRecipient.map(r -> List.of(r.toLowerCase(Locale.ROOT)))
                .orElse(store.recipientsWithHeld(started.minus(Duration.ofDays(3650))));
        } catch (SQLException e) {
            REPORT_LOG.error("scheduled run failed: {}", e.getMessage());
            throw new IllegalStateException("Report run failed: " + e.getMessage(), e);
        }
        int sent = 0;
        int items = 0;
        int failures = 0;
        for (String recipient : recipients) {
            try {
                Optional<Instant> since = configuration.onlyNew() ? store.lastReport(recipient) : Optional.empty();
                Instant floor = started.minus(Duration.ofDays(days));
                Instant from = since.filter(s -> s.isAfter(floor)).orElse(floor);
                List<QuarantineEntry> entries = heldFor(recipient, Optional.of(from));
                if (entries.isEmpty() && configuration.onlyNew()) {
                    REPORT_LOG.info("scheduled recipient={} items=0 not sent: nothing new since {}", recipient, from);
                    continue;
                }
                sink.send(sender(), new MailAddress(recipient), build(recipient, entries, days));
                store.setLastReport(recipient, started);
                sent++;
                items += entries.size();
                REPORT_LOG.info("scheduled recipient={} items={} sent", recipient, entries.size());
            } catch (Exception e) {
                failures++;
                REPORT_LOG.warn("scheduled recipient={} not sent: {}", recipient, e.getMessage());
            }
        }
        REPORT_LOG.info("scheduled run recipients={} reports={} items={} failures={}", recipients.size(), sent, items, failures);
        return new RunSummary(recipients.size(), sent, items, failures);
    }

    /** Held entries of {@code recipient} that arrived after {@code from}, newest first. */
    public List<QuarantineEntry> heldFor(String recipient, Optional<Instant> from) {
        List<QuarantineEntry> result = new ArrayList<>();
        ListCriteria criteria = new ListCriteria(Optional.of(recipient), Optional.empty(), Optional.empty(), from,
            Optional.empty(), Optional.of(EntryState.HELD), 1, ListCriteria.MAX_PAGE_SIZE);
        for (int page = 1; ; page++) {
            EntryPage found = quarantine.list(criteria.withPage(page, ListCriteria.MAX_PAGE_SIZE));
            result.addAll(found.entries());
            if (found.entries().size() < ListCriteria.MAX_PAGE_SIZE || (long) page * ListCriteria.MAX_PAGE_SIZE >= found.total()) {
                break;
            }
        }
        result.removeIf(e -> from.isPresent() && !e.message().arrival().isAfter(from.get()));
        result.sort(ReportRenderer.newestFirst());
        return result;
    }

    /** The report (or "nothing held" reply) for {@code recipient}, with signed links. */
    public MimeMessage build(String recipient, List<QuarantineEntry> entries, int days) throws MessagingException {
        List<ReportItem> items = new ArrayList<>(entries.size());
        for (QuarantineEntry entry : entries) {
            items.add(new ReportItem(entry, links(entry)));
        }
        return renderer.render(sender().asString(), recipient, items, days);
    }

    Map<String, String> links(QuarantineEntry entry) {
        Instant expiry = entry.expiry().orElse(clock.instant().plus(Duration.ofDays(configuration.days())));
        boolean userRelease = quarantine.configuration().area(entry.message().area()).map(Area::userRelease).orElse(false);
        Map<String, String> links = new LinkedHashMap<>();
        if (userRelease) {
            links.put("release", link(entry, RELEASE, expiry));
        } else {
            links.put("request release", link(entry, REQUEST_RELEASE, expiry));
        }
        links.put("delete", link(entry, DELETE, expiry));
        if (!entry.message().sender().isEmpty()) {
            links.put("always allow sender", link(entry, ALLOW, expiry));
        }
        return links;
    }

    private String link(QuarantineEntry entry, String action, Instant expiry) {
        return configuration.publicBaseUrl() + ROUTE + "?token="
            + tokens.sign(new ReportTokens.Claims(entry.entryId(), action, entry.recipient(), expiry));
    }

    private MailAddress sender() {
        return context.getPostmaster();
    }

    // ------------------------------------------------------------------ links

    /** What {@code token} would do; changes nothing (the GET of a link). */
    public LinkView inspect(String token) throws LinkException {
        ReportTokens.Verification verification = tokens.verify(token);
        if (!verification.valid()) {
            ReportTokens.Failure failure = verification.failure().orElseThrow();
            if (failure == ReportTokens.Failure.EXPIRED) {
                throw new LinkException(410, "This link has expired.");
            }
            throw new LinkException(400, "This link is not valid (it may have been altered or cut short).");
        }
        ReportTokens.Claims claims = verification.claims().orElseThrow();
        if (!ACTIONS.contains(claims.action())) {
            throw new LinkException(400, "This link is not valid.");
        }
        try {
            if (store.isUsed(ReportTokens.tokenId(token))) {
                throw new LinkException(410, "This link has already been used.");
            }
        } catch (SQLException e) {
            throw new LinkException(503, "The quarantine is not available right now, please try again later.");
        }
        Optional<QuarantineEntry> entry = quarantine.entry(claims.entryId())
            .filter(e -> e.recipient().equalsIgnoreCase(claims.recipient()));
        if (entry.isEmpty()) {
            throw new LinkException(410, "This message is no longer in the quarantine.");
        }
        if (entry.get().state() != EntryState.HELD) {
            throw new LinkException(410, "This message is no longer held (it was " + entry.get().state().name().toLowerCase(Locale.ROOT) + ").");
        }
        return new LinkView(claims, entry.get());
    }

    /** Performs the action of {@code token} once (the POST from the confirmation page); returns what was done. */
    public String act(String token) throws LinkException {
        LinkView view = inspect(token);
        ReportTokens.Claims claims = view.claims();
        try {
            if (!store.markUsed(ReportTokens.tokenId(token), claims.entryId(), claims.action(), clock.instant())) {
                throw new LinkException(410, "This link has already been used.");
            }
        } catch (SQLException e) {
            throw new LinkException(503, "The quarantine is not available right now, please try again later.");
        }
        MailAddress user;
        try {
            user = new MailAddress(claims.recipient());
        } catch (Exception e) {
            throw new LinkException(400, "This link is not valid.");
        }
        String done;
        switch (claims.action()) {
            case RELEASE -> {
                ActionResult result = quarantine.releaseByUser(claims.entryId(), user);
                done = describe(result, "The message has been released and will be delivered to you shortly.");
            }
            case DELETE -> {
                ActionResult result = quarantine.delete(claims.entryId(), "report link " + user.asString());
                done = describe(result, "The message has been deleted.");
            }
            case ALLOW -> {
                try {
                    store.allowSender(user.asString(), view.entry().message().sender(), clock.instant());
                } catch (SQLException e) {
                    throw new LinkException(503, "The allow list is not available right now, please try again later.");
                }
                done = "Messages from " + view.entry().message().sender() + " to you will be allowed from now on."
                    + " This message itself stays held: release it with its own link.";
            }
            case REQUEST_RELEASE -> {
                requestRelease(view);
                done = "Your request has been sent to the administrator, who will decide whether to release the message.";
            }
            default -> throw new LinkException(400, "This link is not valid.");
        }
        REPORT_LOG.info("link action={} entry={} recipient={} result=\"{}\"", claims.action(), claims.entryId(), claims.recipient(), done);
        return done;
    }

    private static String describe(ActionResult result, String success) throws LinkException {
        switch (result.outcome()) {
            case DONE:
            case ALREADY_DONE:
                return success;
            case NOT_FOUND:
                throw new LinkException(410, "This message is no longer in the quarantine.");
            default:
                throw new LinkException(409, result.message().orElse("This action is not possible for this message."));
        }
    }

    private void requestRelease(LinkView view) throws LinkException {
        MailAddress admin = configuration.adminAddress().orElse(context.getPostmaster());
        try {
            javax.mail.internet.MimeMessage message = new javax.mail.internet.MimeMessage(
                javax.mail.Session.getInstance(new java.util.Properties()));
            message.setFrom(new javax.mail.internet.InternetAddress(context.getPostmaster().asString()));
            message.setRecipients(javax.mail.Message.RecipientType.TO, admin.asString());
            message.setSubject("Release requested: quarantine entry " + view.entry().entryId(), "UTF-8");
            message.setHeader("Auto-Submitted", "auto-generated");
            message.setText(view.claims().recipient() + " asks for the release of a message held in the "
                + view.entry().message().area() + " area.\n\nEntry: " + view.entry().entryId()
                + "\nSender: " + ReportRenderer.clean(view.entry().message().sender(), ReportRenderer.MAX_SENDER)
                + "\nSubject: " + ReportRenderer.clean(view.entry().message().subject().orElse("(no subject)"), ReportRenderer.MAX_SUBJECT)
                + "\nScore: " + view.entry().message().score().map(String::valueOf).orElse("-")
                + "\nReasons: " + view.entry().message().reasons().stream().limit(20)
                    .map(r -> ReportRenderer.clean(r, ReportRenderer.MAX_REASON)).collect(Collectors.joining("; "))
                + "\n\nRelease it with POST /portcullis/quarantine/" + view.entry().entryId() + "?action=release if appropriate.\n", "UTF-8");
            sink.send(context.getPostmaster(), admin, message);
        } catch (MessagingException e) {
            throw new LinkException(503, "The request could not be sent, please try again later.");
        }
    }
}
