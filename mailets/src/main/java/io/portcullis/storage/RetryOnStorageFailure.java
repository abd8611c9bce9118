package io.portcullis.storage;

import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.portcullis.config.MailetParameters;
import io.portcullis.config.Parameter;
import io.portcullis.mail.PortcullisAttributes;

/**
 * First mailet of the {@code error} processor: a mail whose processing failed for lack of storage goes back to the
 * spool, in the processor it started from when the spooler took it ({@link PortcullisAttributes#SPOOL_STATE}),
 * after {@code delay}; it never reaches the error repository, a bounce or a half-written mailbox (the mailbox
 * append is one database transaction, rolled back on failure). A failure is taken as one for lack of storage when
 * the exception that sent the mail here says so ({@code No space left on device}, {@code Disk quota exceeded}, a
 * database that cannot write its pages or log) or when a watched filesystem is below the SMTP threshold at that
 * moment. Any other mail goes on through the error processor unchanged.
 * <p>
 * If the spool itself cannot take the mail back (the disk is full), the exception goes to the spooler
 * ({@code onMailetException=propagate}), which leaves the mail in the spool queue to be taken again.
 */
public class RetryOnStorageFailure extends GenericMailet {
    private static final Logger LOGGER = LoggerFactory.getLogger(RetryOnStorageFailure.class);

    public static final List<Parameter> PARAMETERS = List.of(
        Parameter.optional("processor", "", "the processor the mail is retried in; empty: the one it started from when the spooler "
            + "took it (for a copy James's LocalDelivery makes of the recipients it could not store, give the processor of LocalDelivery, "
            + "e.g. `deliver`)"),
        Parameter.optional("delay", "30s", "how long the mail waits in the spool before it is processed again (a duration, "
            + "e.g. `30s`, `2m`); the spooler also waits while a filesystem is below `storage.spoolMinFree`"),
        Parameter.optional("onMailetException", "propagate", "James's own setting; keep `propagate` so that a mail the spool "
            + "cannot take back stays in the spool queue"));

    private static final List<String> STORAGE_MESSAGES = List.of("no space left on device", "disk quota exceeded", "disk is full",
        "not enough space");

    private final StorageGuard guard;
    private final MailQueueFactory<?> queues;
    private Optional<String> processor;
    private Duration delay;
    private MailQueue spool;

    @Inject
    public RetryOnStorageFailure(StorageGuard guard, MailQueueFactory<?> queues) {
        this.guard = guard;
        this.queues = queues;
    }

    @Override
    public void init() throws MessagingException {
        MailetParameters parameters = MailetParameters.parse(getMailetConfig(), PARAMETERS);
        processor = parameters.optionalString("processor");
        delay = parameters.duration("delay", ChronoUnit.SECONDS);
        parameters.oneOf("onMailetException", List.of("propagate", "error", "ignore"));
        spool = queues.createQueue(MailQueueFactory.SPOOL);
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        Optional<Throwable> error = mail.getAttribute(Mail.MAILET_ERROR).map(Attribute::getValue).map(AttributeValue::value)
            .filter(Throwable.class::isInstance).map(Throwable.class::cast);
        Optional<String> storageCause = error.flatMap(RetryOnStorageFailure::storageCause)
            .or(() -> guard.smtpShortage().map(StorageGuard.Shortage::describe));
        if (storageCause.isEmpty()) {
            return;
        }
        String state = processor.orElseGet(() -> mail.getAttribute(PortcullisAttributes.SPOOL_STATE).map(Attribute::getValue)
            .map(AttributeValue::value).filter(String.class::isInstance).map(String.class::cast).orElse(Mail.DEFAULT));
        int retries = mail.getAttribute(PortcullisAttributes.STORAGE_RETRIES).flatMap(a -> a.getValue().valueAs(Integer.class)).orElse(0) + 1;
        mail.removeAttribute(Mail.MAILET_ERROR);
        mail.setAttribute(new Attribute(PortcullisAttributes.STORAGE_RETRIES, AttributeValue.of(retries)));
        String errorMessage = mail.getErrorMessage();
        mail.setErrorMessage(null);
        mail.setState(state);
        try {
            spool.enQueue(mail, delay);
        } catch (MailQueue.MailQueueException | RuntimeException e) {
            mail.setErrorMessage(errorMessage);
            throw new MessagingException("Mail " + mail.getName() + " failed for lack of storage and the spool cannot take it back", e);
        }
        LOGGER.warn("Mail {} could not be processed for lack of storage ({}): back in the spool (processor {}), retried in {}s (retry {})",
            mail.getName(), storageCause.get(), state, delay.toSeconds(), retries);
        mail.setState(Mail.GHOST);
    }

    /** What in the exception chain says the failure was a full disk, if anything. */
    static Optional<String> storageCause(Throwable error) {
        Set<Throwable> seen = new HashSet<>();
        ArrayDeque<Throwable> pending = new ArrayDeque<>();
        pending.add(error);
        while (!pending.isEmpty()) {
            Throwable current = pending.poll();
            if (!seen.add(current)) {
                continue;
            }
            String message = String.valueOf(current.getMessage()).toLowerCase(Locale.ROOT);
            if ((current instanceof IOException || current instanceof SQLException || current.getClass().getName().startsWith("org.apache.derby"))
                && STORAGE_MESSAGES.stream().anyMatch(message::contains)) {
                return Optional.of(current.getClass().getSimpleName() + ": " + current.getMessage());
            }
            if (current instanceof SQLException sql && sql.getSQLState() != null
                && (sql.getSQLState().startsWith("XSDG") || sql.getSQLState().startsWith("XSLA"))) {
                return Optional.of("SQLState " + sql.getSQLState() + ": " + current.getMessage());
            }
            if (current.getCause() != null) {
                pending.add(current.getCause());
            }
            if (current instanceof MessagingException messaging && messaging.getNextException() != null) {
                pending.add(messaging.getNextException());
            }
            if (current instanceof SQLException sql && sql.getNextException() != null) {
                pending.add(sql.getNextException());
            }
            for (Throwable suppressed : current.getSuppressed()) {
                pending.add(suppressed);
            }
        }
        return Optional.empty();
    }

    @Override
    public String getMailetInfo() {
        return "Portcullis RetryOnStorageFailure";
    }
}
