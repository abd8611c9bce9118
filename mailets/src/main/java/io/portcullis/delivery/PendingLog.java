package io.portcullis.delivery;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeUtils;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.portcullis.direction.Direction;
import io.portcullis.mail.PortcullisAttributes;

/**
 * The Pending log, built by browsing James's own queues (no copies of the queues; in the bundled server the browse
 * itself copies no content either, see LazyBrowseMailQueueFactory): the spool (being processed) and the delivery
 * queues RemoteDelivery retries from. Actions never lose a mail: the new copy is enqueued first, the old one is
 * removed after; a crash in between leaves two copies (one delivery or bounce too many), never none.
 */
public class PendingLog {
    private static final Logger LOGGER = LoggerFactory.getLogger(PendingLog.class);
    public static final String BOUNCE_PROCESSOR = "bounces";
    public static final String RETRY_SUFFIX = "-retry-";

    public enum Action {
        RETRY, BOUNCE
    }

    /** A pending mail could not be acted on (400 for the route). */
    public static class NotActionable extends Exception {
        public NotActionable(String message) {
            super(message);
        }
    }

    private final MailQueueFactory<? extends ManageableMailQueue> queues;
    private final DeliveryConfiguration configuration;
    private final DeliveryRecorder recorder;
    private final Clock clock;
    private final AtomicLong retries = new AtomicLong();

    @Inject
    public PendingLog(MailQueueFactory<? extends ManageableMailQueue> queues, DeliveryConfiguration configuration,
                      DeliveryRecorder recorder, Clock clock) {
        this.queues = queues;
        this.configuration = configuration;
        this.recorder = recorder;
        this.clock = clock;
    }

    /**
     * Every pending mail, oldest first. A mail met twice is listed once, as it was met last: the spool's item is
     * acknowledged only after the mail was queued for delivery, and RemoteDelivery queues a retry before it
     * acknowledges the attempt, so for a moment both messages are in the queues (the delivery queue comes after the
     * spool in {@code pending.queues}, and the retry after the attempt in its queue).
     */
    public List<PendingMail> list() {
        Map<String, PendingMail> byName = new LinkedHashMap<>();
        for (String queueName : configuration.pendingQueues()) {
            queue(queueName).ifPresent(queue -> browse(queue, (mail, next) -> byName.put(mail.getName(), view(queueName, mail, next))));
        }
        List<PendingMail> result = new ArrayList<>(byName.values());
        result.sort(java.util.Comparator.comparing(PendingMail::since));
        return result;
    }

    public Optional<PendingMail> get(String mailName) {
        return list().stream().filter(mail -> mail.mailName().equals(mailName)).findFirst();
    }

    /** Retry now (delivery queues) or bounce now with the last error; returns the name the mail now has. */
    public String act(String mailName, Action action, String actionedBy) throws NotActionable, MessagingException {
        Found found = find(mailName).orElseThrow(() -> new NotActionable("no pending mail named '" + mailName + "'"));
        try {
            if (found.queue.getName().equals(MailQueueFactory.SPOOL)) {
                throw new NotActionable("mail '" + mailName + "' is being processed (spool); retry and bounce apply to mail waiting for delivery");
            }
            if (action == Action.RETRY) {
                String newName = baseName(mailName) + RETRY_SUFFIX + clock.millis() + "-" + retries.incrementAndGet();
                if (found.mail.getAttribute(PortcullisAttributes.TRACKING_ID).isEmpty()) {
                    // the tracking id defaults to the mail name: keep it across the rename
                    found.mail.setAttribute(new Attribute(PortcullisAttributes.TRACKING_ID, AttributeValue.of(mailName)));
                }
                found.mail.setName(newName);
                found.queue.enQueue(found.mail);
                found.queue.remove(ManageableMailQueue.Type.Name, mailName);
                LOGGER.info("Pending mail {} retried now as {} by {}", mailName, newName, actionedBy);
                return newName;
            }
            bounce(found.queue, found.mail, "Returned by the administrator (" + actionedBy + ")");
            return mailName;
        } finally {
            LifecycleUtil.dispose(found.mail);
        }
    }

    /** Bounces the mail if it is still queued (not in the spool), with the reason computed from it. */
    void bounceIfPresent(String mailName, java.util.function.Function<Mail, String> reason) throws MessagingException {
        Optional<Found> found = find(mailName);
        if (found.isEmpty() || found.get().queue.getName().equals(MailQueueFactory.SPOOL)) {
            found.ifPresent(f -> LifecycleUtil.dispose(f.mail));
            return;
        }
        try {
            bounce(found.get().queue, found.get().mail, reason.apply(found.get().mail));
        } finally {
            LifecycleUtil.dispose(found.get().mail);
        }
    }

    /** Removes the mail from its queue; true when it was there. */
    public boolean delete(String mailName, String actionedBy) throws MessagingException {
        Optional<Found> found = find(mailName);
        if (found.isEmpty()) {
            return false;
        }
        try {
            found.get().queue.remove(ManageableMailQueue.Type.Name, mailName);
            recorder.discarded(found.get().mail, actionedBy);
            LOGGER.info("Pending mail {} deleted by {}", mailName, actionedBy);
            return true;
        } finally {
            LifecycleUtil.dispose(found.get().mail);
        }
    }

    /**
     * Sends the mail to the bounce processor with {@code reason} and its last error (the DSN shows both), then removes
     * it from {@code queue}.
     */
    void bounce(ManageableMailQueue queue, Mail mail, String reason) throws MessagingException {
        String lastError = Optional.ofNullable(mail.getErrorMessage()).orElse("no delivery attempt failed yet");
        String name = mail.getName();
        mail.setAttribute(new Attribute(DeliveryRecorder.DELIVERY_ERROR, AttributeValue.of(reason + ". Last error: " + lastError)));
        mail.setAttribute(new Attribute(PortcullisAttributes.DELIVERY_GIVEN_UP, AttributeValue.of(reason)));
        mail.setAttribute(new Attribute(PortcullisAttributes.DELIVERY_REPLY, AttributeValue.of(lastError)));
        mail.setState(BOUNCE_PROCESSOR);
        spool().enQueue(mail);
        queue.remove(ManageableMailQueue.Type.Name, name);
        LOGGER.info("Pending mail {} bounced: {}", name, reason);
    }

    Optional<ManageableMailQueue> queue(String name) {
        return queues.getQueue(MailQueueName.of(name)).map(ManageableMailQueue.class::cast);
    }

    private MailQueue spool() {
        return queues.createQueue(MailQueueFactory.SPOOL);
    }

    private record Found(ManageableMailQueue queue, Mail mail) {
    }

    private Optional<Found> find(String mailName) throws MessagingException {
        for (String queueName : configuration.pendingQueues()) {
            Optional<ManageableMailQueue> queue = queue(queueName);
            if (queue.isEmpty()) {
                continue;
            }
            ManageableMailQueue.MailQueueIterator iterator = queue.get().browse();
            try {
                while (iterator.hasNext()) {
                    ManageableMailQueue.MailQueueItemView item;
                    try {
                        item = iterator.next();
                    } catch (java.util.NoSuchElementException e) {
                        // James's JMS queue browser: the message hasNext() saw was taken meanwhile (a delivery worker
                        // dequeued it); the queue has nothing more to show now
                        break;
                    }
                    if (item.getMail().getName().equals(mailName)) {
                        return Optional.of(new Found(queue.get(), item.getMail()));
                    }
                    LifecycleUtil.dispose(item.getMail());
                }
            } finally {
                iterator.close();
            }
        }
        return Optional.empty();
    }

    interface Visitor {
        void visit(Mail mail, Optional<Instant> nextDelivery) throws MessagingException;
    }

    void browse(ManageableMailQueue queue, Visitor visitor) {
        try {
            ManageableMailQueue.MailQueueIterator iterator = queue.browse();
            try {
                while (iterator.hasNext()) {
                    ManageableMailQueue.MailQueueItemView item;
                    try {
                        item = iterator.next();
                    } catch (java.util.NoSuchElementException e) {
                        // James's JMS queue browser: the message hasNext() saw was taken meanwhile (a delivery worker
                        // dequeued it); the queue has nothing more to show now
                        break;
                    }
                    try {
                        visitor.visit(item.getMail(), item.getNextDelivery().map(java.time.ZonedDateTime::toInstant));
                    } finally {
                        LifecycleUtil.dispose(item.getMail());
                    }
                }
            } finally {
                iterator.close();
            }
        } catch (MessagingException e) {
            throw new IllegalStateException("Cannot browse mail queue " + queue.getName().asString() + ": " + e.getMessage(), e);
        }
    }

    static Instant since(Mail mail) {
        return AttributeUtils.getValueAndCastFromMail(mail, PortcullisAttributes.PENDING_SINCE, Long.class)
            .map(Instant::ofEpochMilli)
            .orElseGet(() -> Optional.ofNullable(mail.getLastUpdated()).map(java.util.Date::toInstant).orElse(Instant.EPOCH));
    }

    static Direction direction(Mail mail) {
        return Direction.of(mail).orElseGet(() -> Direction.detect(mail));
    }

    private PendingMail view(String queueName, Mail mail, Optional<Instant> nextDelivery) {
        Optional<String> subject;
        try {
            subject = Optional.ofNullable(mail.getMessage()).map(message -> {
                try {
                    return message.getSubject();
                } catch (MessagingException e) {
                    return null;
                }
            });
        } catch (MessagingException e) {
            subject = Optional.empty();
        }
        Optional<String> lastError = Optional.ofNullable(mail.getErrorMessage());
        return new PendingMail(queueName, mail.getName(),
            AttributeUtils.getValueAndCastFromMail(mail, PortcullisAttributes.TRACKING_ID, String.class),
            mail.getMaybeSender().asString(), mail.getRecipients().stream().map(MailAddress::asString).toList(), subject,
            since(mail), Optional.of(direction(mail).value()), DeliveryRecorder.retries(mail),
            nextDelivery.filter(next -> !queueName.equals(MailQueueFactory.SPOOL.asString())), lastError,
            lastError.map(FailureReasons::explain), mail.getState());
    }

    private static String baseName(String mailName) {
        int retry = mailName.indexOf(RETRY_SUFFIX);
        return retry < 0 ? mailName : mailName.substring(0, retry);
    }
}
