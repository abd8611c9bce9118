package io.portcullis.quarantine;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Collectors;

import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.AddressException;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.collect.ImmutableList;

import io.portcullis.mail.PortcullisAttributes;
import io.portcullis.tracking.EventType;
import io.portcullis.tracking.MessageTracker;
import io.portcullis.tracking.TrackedEvent;
import io.portcullis.tracking.store.TrackingOutbox;

/**
 * Everything done to held mail: holding (from the {@code Quarantine} mailet), searching, viewing, release /
 * retry / force (re-injection into a processor through {@link MailetContext#sendMail(Mail, String)}), delete,
 * forward, never-expire, expiry, administrator notifications, and recovery of re-injections interrupted by a
 * crash. Every action is recorded through {@link MessageTracker} with "Actioned by".
 *
 * <p>Re-injection is crash safe: (1) the entry moves HELD → DISPATCHING in one committed conditional UPDATE
 * (a second release finds it not HELD and sends nothing), (2) the copy is enqueued with a unique name and the
 * entry id as attributes, (3) the entry moves DISPATCHING → RELEASED naming that copy. A crash between (1) and
 * (3) leaves DISPATCHING: {@link #recover(Instant)} (at start and periodically) enqueues a new copy. If the
 * first copy had been enqueued too, {@code ReleaseGate} at the head of the target processor lets only the
 * first copy through and drops the other. Nothing lost, nothing delivered twice.
 */
public class QuarantineService {
    private static final Logger LOGGER = LoggerFactory.getLogger(QuarantineService.class);
    public static final String ACTIONED_BY = "Actioned by";
    public static final String HELD_AREA = "Held area";
    public static final String NEW_MESSAGE_ID = "New MessageID";
    public static final String RECIPIENTS = "Recipients";
    public static final String SET_EXPIRY_DAYS = "Set expiry days";
    public static final String NEVER_EXPIRE = "Never expire";
    private static final int BATCH = 500;

    private final QuarantineStore store;
    private final MessageTracker tracker;
    private final MailetContext context;
    private final QuarantineConfiguration configuration;
    private final Clock clock;

    public QuarantineService(QuarantineStore store, MessageTracker tracker, MailetContext context,
                             QuarantineConfiguration configuration, Clock clock) {
        this.store = store;
        this.tracker = tracker;
        this.context = context;
        this.configuration = configuration;
        this.clock = clock;
    }

    public QuarantineConfiguration configuration() {
        return configuration;
    }

    /**
     * Stores {@code mail} in {@code area}, one entry per recipient, in one transaction, and records Held and
     * Expiry time set. Throws when the store fails: the caller must then not consider the mail handled.
     */
    public List<String> hold(Mail mail, Area area, boolean notifyPending) throws MessagingException {
        Instant now = clock.instant();
        byte[] raw = rawBytes(mail);
        String trackingId = stringAttribute(mail, PortcullisAttributes.TRACKING_ID).orElse(mail.getName());
        HeldMessage message = new HeldMessage(QuarantineStore.newId(), mail.getName(), trackingId,
            mail.getMaybeSender().asOptional().map(MailAddress::asString).orElse(""), subject(mail), area.name(),
            mail.getAttribute(PortcullisAttributes.SCORE).map(a -> a.getValue().value())
                .filter(Number.class::isInstance).map(v -> ((Number) v).intValue()),
            listAttribute(mail, PortcullisAttributes.REASONS), listAttribute(mail, PortcullisAttributes.TRIGGERED_RULES),
            stringAttribute(mail, PortcullisAttributes.DIRECTION), stringAttribute(mail, PortcullisAttributes.MESSAGE_SECURITY),
            stringAttribute(mail, PortcullisAttributes.UNSCANNABLE_REASON), now, raw.length);
        Optional<Instant> expiry = area.retention().map(now::plus);
        List<QuarantineStore.NewEntry> entries = mail.getRecipients().stream()
            .map(recipient -> new QuarantineStore.NewEntry(recipient.asString(), expiry))
            .collect(Collectors.toList());
        String recipients = mail.getRecipients().stream().map(MailAddress::asString).collect(Collectors.joining(", "));
        Map<String, String> held = new LinkedHashMap<>();
        held.put(HELD_AREA, area.name());
        held.put(RECIPIENTS, recipients);
        message.unscannableReason().ifPresent(reason -> held.put("Threats Found", reason));
        message.messageSecurity().filter(security -> !security.equals("none"))
            .ifPresent(security -> held.put("Encryption method", security));
        if (!message.triggeredRules().isEmpty()) {
            held.put("Triggered Rules", String.join(", ", message.triggeredRules()));
        }
        Map<String, String> expiryInfo = new LinkedHashMap<>();
        expiryInfo.put(HELD_AREA, area.name());
        area.retention().ifPresentOrElse(
            retention -> expiryInfo.put(SET_EXPIRY_DAYS, days(retention)),
            () -> expiryInfo.put(NEVER_EXPIRE, "true"));
        List<TrackedEvent> events = List.of(new TrackedEvent(trackingId, EventType.HELD, now, held),
            new TrackedEvent(trackingId, EventType.EXPIRY_SET, now, expiryInfo));
        QuarantineStore.Inserted inserted;
        try {
            Optional<List<String>> already = store.heldAs(mail.getName(), trackingId);
            if (already.isPresent()) {
                // processed again after a crash between holding and the spool's acknowledgement: held once, events owed once
                LOGGER.info("{} ({}) is already held; not held twice", mail.getName(), trackingId);
                // the spool's second pass left the message "processing": back to held, saying why
                track(trackingId, EventType.HELD, now, Map.of(HELD_AREA, area.name(), RECIPIENTS, recipients,
                    "Note", "Already held before a restart; not held twice"));
                return already.get();
            }
            // the message, its entries and its two events in one commit: the spool need not wait for the tracking writer
            inserted = store.insert(message, raw, entries, notifyPending, events, now);
        } catch (SQLException | RuntimeException e) {
            throw new MessagingException("Quarantine store failed holding " + mail.getName() + " in " + area.name() + ": " + e.getMessage(), e);
        }
        TrackingOutbox.queue(tracker, events, inserted.owed());
        return inserted.ids();
    }

    private static String days(Duration retention) {
        long days = retention.toDays();
        return days * 86_400L == retention.toSeconds() ? Long.toString(days) : String.format(java.util.Locale.ROOT, "%.2f", retention.toSeconds() / 86_400d);
    }

    private static byte[] rawBytes(Mail mail) throws MessagingException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            mail.getMessage().writeTo(out);
        } catch (IOException e) {
            throw new MessagingException("Cannot read message " + mail.getName() + ": " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    private static Optional<String> subject(Mail mail) {
        try {
            return Optional.ofNullable(mail.getMessage().getSubject());
        } catch (MessagingException | RuntimeException e) {
            return Optional.empty();
        }
    }

    static Optional<String> stringAttribute(Mail mail, org.apache.mailet.AttributeName name) {
        return mail.getAttribute(name).map(a -> a.getValue().value()).map(String::valueOf);
    }

    private static List<String> listAttribute(Mail mail, org.apache.mailet.AttributeName name) {
        return mail.getAttribute(name).map(a -> a.getValue().value())
            .map(value -> {
                if (value instanceof java.util.Collection<?>) {
                    return ((java.util.Collection<?>) value).stream()
                        .map(v -> v instanceof AttributeValue<?> ? ((AttributeValue<?>) v).value() : v)
                        .map(String::valueOf).collect(Collectors.toList());
                }
                return List.of(String.valueOf(value));
            })
            .orElse(List.of());
    }

    // ------------------------------------------------------------------ reading

    public EntryPage list(ListCriteria criteria) {
        try {
            return store.list(criteria);
        } catch (SQLException e) {
            throw new QuarantineException("Quarantine search failed: " + e.getMessage(), e);
        }
    }

    public Optional<QuarantineEntry> entry(String entryId) {
        try {
            return store.entry(entryId);
        } catch (SQLException e) {
            throw new QuarantineException("Quarantine read failed: " + e.getMessage(), e);
        }
    }

    /** An entry's metadata, recorded as "Viewed in message area" by {@code actor}. */
    public Optional<QuarantineEntry> view(String entryId, String actor) {
        Optional<QuarantineEntry> entry = entry(entryId);
        entry.ifPresent(found -> track(found.message().trackingId(), EventType.VIEWED, clock.instant(), info(actor, found)));
        return entry;
    }

    /** The raw message of an entry, recorded as "Viewed raw message" by {@code actor}. */
    public Optional<byte[]> raw(String entryId, String actor) {
        try {
            Optional<QuarantineEntry> entry = store.entry(entryId);
            if (entry.isEmpty()) {
                return Optional.empty();
            }
            Optional<byte[]> raw = store.raw(entryId);
            raw.ifPresent(bytes -> track(entry.get().message().trackingId(), EventType.VIEWED_RAW, clock.instant(),
                info(actor, entry.get())));
            return raw;
        } catch (SQLException e) {
            throw new QuarantineException("Quarantine read failed: " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------ actions

    public ActionResult release(String entryId, String actor) {
        return dispatch(entryId, DispatchAction.RELEASE, actor);
    }

    public ActionResult retry(String entryId, String actor) {
        return dispatch(entryId, DispatchAction.RETRY, actor);
    }

    public ActionResult force(String entryId, String actor) {
        return dispatch(entryId, DispatchAction.FORCE, actor);
    }

    /**
     * Release by an end user (quarantine reports, user links): only their own entry ({@code user} is its
     * recipient; anyone else gets NOT_FOUND, revealing nothing) and only from an area with
     * {@code userRelease=true} (CONFLICT otherwise: threat and stalled are admin only). Recorded as PMM Release.
     */
    public ActionResult releaseByUser(String entryId, MailAddress user) {
        Optional<QuarantineEntry> entry = entry(entryId);
        if (entry.isEmpty() || !entry.get().recipient().equalsIgnoreCase(user.asString())) {
            return ActionResult.notFound(entryId);
        }
        boolean allowed = configuration.area(entry.get().message().area()).map(Area::userRelease).orElse(false);
        if (!allowed) {
            return new ActionResult(entryId, ActionResult.Outcome.CONFLICT, Optional.of(entry.get().state()), Optional.empty(),
                Optional.of("messages held in " + entry.get().message().area() + " can only be released by an administrator"));
        }
        return dispatch(entryId, DispatchAction.RELEASE, user.asString(), EventType.USER_RELEASE);
    }

    public ActionResult dispatch(String entryId, DispatchAction action, String actor) {
        return dispatch(entryId, action, actor, action.event());
    }

    private ActionResult dispatch(String entryId, DispatchAction action, String actor, EventType event) {
        try {
            Optional<QuarantineEntry> entry = store.entry(entryId);
            if (entry.isEmpty()) {
                return ActionResult.notFound(entryId);
            }
            String processor = configuration.processorFor(action);
            if (!store.beginDispatch(entryId, action, processor, actor, clock.instant())) {
                QuarantineEntry current = store.entry(entryId).orElse(entry.get());
                return alreadyOrConflict(current, current.dispatchAction().filter(action::equals).isPresent(), action.value());
            }
            QuarantineEntry dispatching = store.entry(entryId).orElseThrow();
            String copy = send(dispatching, action, processor);
            store.finishDispatch(entryId, copy, clock.instant());
            Map<String, String> info = info(actor, dispatching);
            info.put(NEW_MESSAGE_ID, copy);
            info.put("Action", action.value());
            track(dispatching.message().trackingId(), event, clock.instant(), info);
            return new ActionResult(entryId, ActionResult.Outcome.DONE, Optional.of(action.done()), Optional.of(copy), Optional.empty());
        } catch (SQLException e) {
            throw new QuarantineException("Quarantine " + action.value() + " of " + entryId + " failed: " + e.getMessage(), e);
        } catch (MessagingException e) {
            throw new QuarantineException("Quarantine " + action.value() + " of " + entryId + " could not be re-injected (it will be "
                + "retried by the recovery job): " + e.getMessage(), e);
        }
    }

    private static ActionResult alreadyOrConflict(QuarantineEntry current, boolean sameAction, String action) {
        boolean done = sameAction && (current.state() == EntryState.DISPATCHING || current.state().isTerminal()
            && current.state() != EntryState.DELETED && current.state() != EntryState.DISCARDED);
        if (done) {
            return new ActionResult(current.entryId(), ActionResult.Outcome.ALREADY_DONE, Optional.of(current.state()),
                Optional.empty(), Optional.of("already " + current.state().name().toLowerCase(java.util.Locale.ROOT)));
        }
        return new ActionResult(current.entryId(), ActionResult.Outcome.CONFLICT, Optional.of(current.state()), Optional.empty(),
            Optional.of("cannot " + action + " an entry that is " + current.state().name().toLowerCase(java.util.Locale.ROOT)));
    }

    /** Enqueues a new copy of a DISPATCHING entry into its processor; returns the copy's mail name. */
    private String send(QuarantineEntry entry, DispatchAction action, String processor) throws SQLException, MessagingException {
        byte[] raw = store.raw(entry.entryId())
            .orElseThrow(() -> new MessagingException("raw message of entry " + entry.entryId() + " is missing"));
        String copy = "portcullis-" + action.value() + "-" + entry.entryId() + "-" + UUID.randomUUID().toString().substring(0, 8);
        MailImpl.Builder builder = MailImpl.builder()
            .name(copy)
            .sender(entry.message().sender().isEmpty() ? MaybeSender.nullSender() : MaybeSender.getMailSender(entry.message().sender()))
            .addRecipient(entry.recipient())
            .mimeMessage(parse(raw))
            .addAttribute(new Attribute(PortcullisAttributes.TRACKING_ID, AttributeValue.of(entry.message().trackingId())))
            .addAttribute(new Attribute(PortcullisAttributes.RELEASED_ENTRY, AttributeValue.of(entry.entryId())))
            .addAttribute(new Attribute(PortcullisAttributes.RELEASED_COPY, AttributeValue.of(copy)));
        entry.message().direction().ifPresent(direction ->
            builder.addAttribute(new Attribute(PortcullisAttributes.DIRECTION, AttributeValue.of(direction))));
        if (action == DispatchAction.FORCE) {
            builder.addAttribute(new Attribute(PortcullisAttributes.FORCED, AttributeValue.of(true)));
        }
        MailImpl mail = builder.build();
        try {
            context.sendMail(mail, processor);
        } finally {
            mail.dispose();
        }
        return copy;
    }

    private static MimeMessage parse(byte[] raw) throws MessagingException {
        return new MimeMessage(Session.getDefaultInstance(new Properties()), new ByteArrayInputStream(raw));
    }

    public ActionResult delete(String entryId, String actor) {
        return remove(entryId, actor, EntryState.DELETED, EventType.DELETED);
    }

    private ActionResult remove(String entryId, String actor, EntryState to, EventType event) {
        try {
            Optional<QuarantineEntry> entry = store.entry(entryId);
            if (entry.isEmpty()) {
                return ActionResult.notFound(entryId);
            }
            if (!store.remove(entryId, to, actor, clock.instant())) {
                QuarantineEntry current = store.entry(entryId).orElse(entry.get());
                if (current.state() == to) {
                    return new ActionResult(entryId, ActionResult.Outcome.ALREADY_DONE, Optional.of(to), Optional.empty(),
                        Optional.of("already " + to.name().toLowerCase(java.util.Locale.ROOT)));
                }
                return alreadyOrConflict(current, false, to == EntryState.DELETED ? "delete" : "discard");
            }
            track(entry.get().message().trackingId(), event, clock.instant(), info(actor, entry.get()));
            return new ActionResult(entryId, ActionResult.Outcome.DONE, Optional.of(to), Optional.empty(), Optional.empty());
        } catch (SQLException e) {
            throw new QuarantineException("Quarantine " + to.name().toLowerCase(java.util.Locale.ROOT) + " of " + entryId + " failed: " + e.getMessage(), e);
        }
    }

    /** Sends a copy of a held message to {@code to} (delivered after the filters); the entry stays held. */
    public ActionResult forward(String entryId, MailAddress to, String actor) {
        try {
            Optional<QuarantineEntry> entry = store.entry(entryId);
            if (entry.isEmpty()) {
                return ActionResult.notFound(entryId);
            }
            if (entry.get().state() != EntryState.HELD) {
                return alreadyOrConflict(entry.get(), false, "forward");
            }
            Optional<byte[]> raw = store.raw(entryId);
            if (raw.isEmpty()) {
                return alreadyOrConflict(entry.get(), false, "forward");
            }
            String copy = "portcullis-forward-" + entryId + "-" + UUID.randomUUID().toString().substring(0, 8);
            MailImpl mail = MailImpl.builder()
                .name(copy)
                .sender(Optional.ofNullable(context.getPostmaster()).map(MaybeSender::of).orElse(MaybeSender.nullSender()))
                .addRecipient(to)
                .mimeMessage(parse(raw.get()))
                .addAttribute(new Attribute(PortcullisAttributes.TRACKING_ID, AttributeValue.of(entry.get().message().trackingId())))
                .build();
            try {
                context.sendMail(mail, configuration.releaseProcessor());
            } finally {
                mail.dispose();
            }
            Map<String, String> info = info(actor, entry.get());
            info.put(NEW_MESSAGE_ID, copy);
            info.put("Forwarded to", to.asString());
            track(entry.get().message().trackingId(), EventType.FORWARDED, clock.instant(), info);
            return new ActionResult(entryId, ActionResult.Outcome.DONE, Optional.of(EntryState.HELD), Optional.of(copy), Optional.empty());
        } catch (SQLException e) {
            throw new QuarantineException("Quarantine forward of " + entryId + " failed: " + e.getMessage(), e);
        } catch (MessagingException e) {
            throw new QuarantineException("Quarantine forward of " + entryId + " could not be sent: " + e.getMessage(), e);
        }
    }

    /** Keeps a held entry until someone acts on it ("Never expire"). */
    public ActionResult neverExpire(String entryId, String actor) {
        try {
            Optional<QuarantineEntry> entry = store.entry(entryId);
            if (entry.isEmpty()) {
                return ActionResult.notFound(entryId);
            }
            if (!store.setExpiry(entryId, Optional.empty())) {
                return alreadyOrConflict(entry.get(), false, "change the expiry of");
            }
            Map<String, String> info = info(actor, entry.get());
            info.put(NEVER_EXPIRE, "true");
            track(entry.get().message().trackingId(), EventType.EXPIRY_SET, clock.instant(), info);
            return new ActionResult(entryId, ActionResult.Outcome.DONE, Optional.of(EntryState.HELD), Optional.empty(), Optional.empty());
        } catch (SQLException e) {
            throw new QuarantineException("Quarantine expiry change of " + entryId + " failed: " + e.getMessage(), e);
        }
    }

    /** One action on many entries; each entry gets its own result (a failure on one does not stop the others). */
    public List<ActionResult> bulk(String action, List<String> entryIds, Optional<MailAddress> to, String actor) {
        List<ActionResult> results = new ArrayList<>();
        for (String id : entryIds) {
            try {
                results.add(apply(action, id, to, actor));
            } catch (QuarantineException e) {
                results.add(new ActionResult(id, ActionResult.Outcome.CONFLICT, Optional.empty(), Optional.empty(), Optional.of(e.getMessage())));
            }
        }
        return results;
    }

    /** {@code action}: release, retry, force, delete, forward (needs {@code to}), neverExpire. */
    public ActionResult apply(String action, String entryId, Optional<MailAddress> to, String actor) {
        switch (action) {
            case "release":
                return release(entryId, actor);
            case "retry":
                return retry(entryId, actor);
            case "force":
                return force(entryId, actor);
            case "delete":
                return delete(entryId, actor);
            case "neverExpire":
                return neverExpire(entryId, actor);
            case "forward":
                return forward(entryId, to.orElseThrow(() -> new IllegalArgumentException("forward needs a 'to' address")), actor);
            default:
                throw new IllegalArgumentException("unknown action '" + action + "'");
        }
    }

    public static final List<String> ACTIONS = ImmutableList.of("release", "retry", "force", "delete", "forward", "neverExpire");

    /** See {@link QuarantineStore#passGate}: whether a re-injected copy may go on. */
    public QuarantineStore.GateDecision gate(String entryId, String copyName) throws MessagingException {
        try {
            return store.passGate(entryId, copyName, clock.instant());
        } catch (SQLException | RuntimeException e) {
            throw new MessagingException("Quarantine store failed checking released copy " + copyName + ": " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------ scheduled work

    /** Discards every held entry whose expiry has passed, recording Discarded; returns how many. */
    public int expire() {
        int discarded = 0;
        try {
            while (true) {
                List<QuarantineEntry> expired = store.expired(clock.instant(), BATCH);
                int before = discarded;
                for (QuarantineEntry entry : expired) {
                    if (store.remove(entry.entryId(), EntryState.DISCARDED, "expiry", clock.instant())) {
                        Map<String, String> info = new LinkedHashMap<>();
                        info.put(HELD_AREA, entry.message().area());
                        info.put(RECIPIENTS, entry.recipient());
                        info.put("Reason", "expired");
                        track(entry.message().trackingId(), EventType.DISCARDED, clock.instant(), info);
                        discarded++;
                    }
                }
                if (expired.size() < BATCH || discarded == before) {
                    return discarded;
                }
            }
        } catch (SQLException e) {
            throw new QuarantineException("Quarantine expiry failed: " + e.getMessage(), e);
        }
    }

    /**
     * Re-injects entries left DISPATCHING by a dispatch started before {@code before} (a crash between the
     * committed state change and the end of the re-injection). Returns how many were re-sent.
     */
    public int recover(Instant before) {
        int recovered = 0;
        try {
            for (QuarantineEntry entry : store.dispatching(before)) {
                DispatchAction action = entry.dispatchAction().orElse(DispatchAction.RELEASE);
                String processor = entry.dispatchProcessor().orElse(configuration.processorFor(action));
                try {
                    String copy = send(entry, action, processor);
                    if (store.finishDispatch(entry.entryId(), copy, clock.instant())) {
                        Map<String, String> info = info(entry.actionedBy().orElse("recovery"), entry);
                        info.put(NEW_MESSAGE_ID, copy);
                        info.put("Action", action.value());
                        info.put("Recovered", "true");
                        track(entry.message().trackingId(), action.event(), clock.instant(), info);
                    }
                    recovered++;
                } catch (MessagingException e) {
                    LOGGER.error("Recovery of quarantine entry {} ({}) failed; will retry", entry.entryId(), action.value(), e);
                }
            }
            return recovered;
        } catch (SQLException e) {
            throw new QuarantineException("Quarantine recovery failed: " + e.getMessage(), e);
        }
    }

    /** Tells the administrator, in one message, about every held entry marked for notification. */
    public int sendDigest() {
        try {
            List<QuarantineEntry> pending = store.pendingNotifications(BATCH);
            if (pending.isEmpty()) {
                return 0;
            }
            notifyAdministrator(pending);
            store.markNotified(pending.stream().map(QuarantineEntry::entryId).collect(Collectors.toList()));
            return pending.size();
        } catch (SQLException e) {
            throw new QuarantineException("Quarantine digest failed: " + e.getMessage(), e);
        } catch (MessagingException e) {
            throw new QuarantineException("Quarantine digest could not be sent: " + e.getMessage(), e);
        }
    }

    /** Notifies the administrator now about these entries (notify=each). */
    public void notifyHeld(List<String> entryIds) throws MessagingException {
        List<QuarantineEntry> entries = new ArrayList<>();
        for (String id : entryIds) {
            entry(id).ifPresent(entries::add);
        }
        if (!entries.isEmpty()) {
            notifyAdministrator(entries);
        }
    }

    private void notifyAdministrator(List<QuarantineEntry> entries) throws MessagingException {
        MailAddress to = configuration.notifyTo().orElse(context.getPostmaster());
        if (to == null) {
            LOGGER.warn("No postmaster and no quarantine.notify.to: {} held entries not notified", entries.size());
            return;
        }
        StringBuilder body = new StringBuilder();
        body.append(entries.size() == 1 ? "A message was held" : entries.size() + " messages were held")
            .append(" by Portcullis. Review them with the WebAdmin quarantine API (GET /portcullis/quarantine/{id}),\n")
            .append("then release, retry, force or delete them. Force only what comes from a trusted sender and is expected.\n\n");
        for (QuarantineEntry entry : entries) {
            HeldMessage message = entry.message();
            body.append("id:        ").append(entry.entryId()).append('\n')
                .append("area:      ").append(message.area()).append('\n')
                .append("received:  ").append(message.arrival()).append('\n')
                .append("from:      ").append(message.sender().isEmpty() ? "<>" : message.sender()).append('\n')
                .append("to:        ").append(entry.recipient()).append('\n')
                .append("subject:   ").append(message.subject().orElse("")).append('\n');
            message.unscannableReason().ifPresent(reason -> body.append("reason:    ").append(reason).append('\n'));
            if (!message.reasons().isEmpty()) {
                body.append("reasons:   ").append(String.join("; ", message.reasons())).append('\n');
            }
            body.append('\n');
        }
        MimeMessage notice = new MimeMessage(Session.getDefaultInstance(new Properties()));
        try {
            notice.setFrom(to.toInternetAddress().orElseThrow());
        } catch (RuntimeException e) {
            throw new AddressException("bad notification address " + to);
        }
        notice.setRecipients(javax.mail.Message.RecipientType.TO, to.asString());
        notice.setSubject(entries.size() == 1
            ? "[Portcullis] held in " + entries.get(0).message().area() + ": " + entries.get(0).message().subject().orElse("(no subject)")
            : "[Portcullis] " + entries.size() + " messages held", "UTF-8");
        notice.setText(body.toString(), "UTF-8");
        notice.setHeader("Auto-Submitted", "auto-generated");
        notice.saveChanges();
        // Null envelope sender: a notice must never bounce back into a loop.
        context.sendMail(null, ImmutableList.of(to), notice);
    }

    // ------------------------------------------------------------------ helpers

    private static Map<String, String> info(String actor, QuarantineEntry entry) {
        Map<String, String> info = new LinkedHashMap<>();
        info.put(ACTIONED_BY, actor);
        info.put(HELD_AREA, entry.message().area());
        info.put(RECIPIENTS, entry.recipient());
        return info;
    }

    private void track(String trackingId, EventType type, Instant at, Map<String, String> info) {
        try {
            tracker.record(new TrackedEvent(trackingId, type, at, info));
        } catch (RuntimeException e) {
            // The quarantine state is committed; a tracking failure must not undo or repeat it.
            LOGGER.error("Tracking {} for {} failed", type, trackingId, e);
        }
    }
}
