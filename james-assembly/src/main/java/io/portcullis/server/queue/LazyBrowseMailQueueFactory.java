package io.portcullis.server.queue;

import java.io.BufferedInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.Enumeration;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import javax.jms.Connection;
import javax.jms.ConnectionFactory;
import javax.jms.JMSException;
import javax.jms.Message;
import javax.jms.ObjectMessage;
import javax.jms.QueueBrowser;
import javax.jms.Session;
import javax.mail.MessagingException;
import javax.mail.internet.AddressException;

import org.apache.activemq.BlobMessage;
import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.queue.activemq.MimeMessageBlobMessageSource;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.james.queue.jms.JMSSupport;
import org.apache.james.queue.jms.MimeMessageObjectMessageSource;
import org.apache.james.server.core.MailImpl;
import org.apache.james.server.core.MimeMessageSource;
import org.apache.james.server.core.MimeMessageWrapper;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.PerRecipientHeaders;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.portcullis.queue.DecoratingMailQueueFactory;

/**
 * The James ActiveMQ queues with a {@link ManageableMailQueue#browse()} that reads a message's content only when it is
 * asked for. Everything else goes to the decorated queues unchanged.
 * <p>
 * James's own browse (3.8.1, {@code JMSCacheableMailQueue.browse()}) builds each {@link Mail} with
 * {@code MailImpl.Builder.build()}, which copies the whole content of the blob file into a new
 * {@code MimeMessageInputStreamSource}. A message consumed between the moment the queue browser received it and
 * the copy (a delivery worker or the spooler took it and acknowledged it: {@code ActiveMQMailQueueItem.done()}
 * deletes its blob file) makes the copy fail with {@code FileNotFoundException}: James logs {@code ERROR Unable to
 * browse queue} and the half-made copy, never disposed, is later reported by its finalizer as {@code Leak
 * detected!}. Under load with a downstream outage (the outgoing queue retried and re-queued all the time) a listing
 * of the Pending log met dozens of them, and took seconds copying every waiting message.
 * <p>
 * Here the mail is built from the message's JMS properties (the ones James's queue writes: name, sender,
 * recipients, state, error message, last updated, attributes, per-recipient headers) and its content is a
 * {@link MimeMessageWrapper} over the blob (or object message) itself, read on demand: nothing is copied, so nothing
 * can leak. A message whose blob file is already gone was consumed meanwhile and is no longer waiting: it is left
 * out of the listing (as James's browse leaves it out, without the ERROR). Mails of the iterator are disposed by
 * whoever takes them, as with James's browse.
 */
public class LazyBrowseMailQueueFactory extends DecoratingMailQueueFactory<ManageableMailQueue> {
    private static final Logger LOGGER = LoggerFactory.getLogger(LazyBrowseMailQueueFactory.class);
    private static final String PER_RECIPIENT_HEADERS_PREFIX = JMSSupport.JAMES_MAIL_PER_RECIPIENT_HEADERS + "-";

    private final ConnectionFactory connectionFactory;
    private final ConcurrentMap<MailQueueName, LazyBrowseQueue> queues = new ConcurrentHashMap<>();

    /**
     * @param delegate          the James ActiveMQ queue factory
     * @param connectionFactory the connection factory of its broker (with its blob transfer policy: blob contents
     *                          are read through it)
     */
    public LazyBrowseMailQueueFactory(MailQueueFactory<? extends ManageableMailQueue> delegate, ConnectionFactory connectionFactory) {
        super(delegate);
        this.connectionFactory = connectionFactory;
    }

    @Override
    protected ManageableMailQueue decorate(ManageableMailQueue queue) {
        return queues.compute(queue.getName(), (name, wrapped) -> wrapped != null && wrapped.queue == queue ? wrapped : new LazyBrowseQueue(queue));
    }

    private final class LazyBrowseQueue implements ManageableMailQueue {
        private final ManageableMailQueue queue;

        private LazyBrowseQueue(ManageableMailQueue queue) {
            this.queue = queue;
        }

        @Override
        public MailQueueIterator browse() throws MailQueueException {
            return new LazyIterator(queue.getName());
        }

        @Override
        public MailQueueName getName() {
            return queue.getName();
        }

        @Override
        public void enQueue(Mail mail, Duration delay) throws MailQueueException {
            queue.enQueue(mail, delay);
        }

        @Override
        public void enQueue(Mail mail) throws MailQueueException {
            queue.enQueue(mail);
        }

        @Override
        public Publisher<Void> enqueueReactive(Mail mail) {
            return queue.enqueueReactive(mail);
        }

        @Override
        public Publisher<MailQueueItem> deQueue() {
            return queue.deQueue();
        }

        @Override
        public long getSize() throws MailQueueException {
            return queue.getSize();
        }

        @Override
        public Publisher<Long> getSizeReactive() {
            return queue.getSizeReactive();
        }

        @Override
        public long flush() throws MailQueueException {
            return queue.flush();
        }

        @Override
        public long clear() throws MailQueueException {
            return queue.clear();
        }

        @Override
        public long remove(Type type, String value) throws MailQueueException {
            return queue.remove(type, value);
        }

        @Override
        public void close() throws IOException {
            queue.close();
        }

        @Override
        public String toString() {
            return queue.toString();
        }
    }

    /** A JMS queue browser of its own (connection and session closed with the iterator). */
    private final class LazyIterator implements ManageableMailQueue.MailQueueIterator {
        private final MailQueueName name;
        private final Connection connection;
        private final Enumeration<?> messages;
        private ManageableMailQueue.MailQueueItemView next;
        private boolean closed;

        private LazyIterator(MailQueueName name) throws ManageableMailQueue.MailQueueException {
            this.name = name;
            Connection opened = null;
            try {
                opened = connectionFactory.createConnection();
                opened.start();
                Session session = opened.createSession(false, Session.AUTO_ACKNOWLEDGE);
                QueueBrowser browser = session.createBrowser(session.createQueue(name.asString()));
                this.connection = opened;
                this.messages = browser.getEnumeration();
            } catch (JMSException | RuntimeException e) {
                closeConnection(opened);
                throw new ManageableMailQueue.MailQueueException("Unable to browse queue " + name.asString(), e);
            }
        }

        @Override
        public boolean hasNext() {
            while (next == null && !closed && messages.hasMoreElements()) {
                next = view((Message) messages.nextElement()).orElse(null);
            }
            return next != null;
        }

        @Override
        public ManageableMailQueue.MailQueueItemView next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            ManageableMailQueue.MailQueueItemView item = next;
            next = null;
            return item;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                if (next != null) {
                    LifecycleUtil.dispose(next.getMail());
                    next = null;
                }
                closeConnection(connection);
            }
        }

        /** The message as a mail, or empty when it was consumed meanwhile (or cannot be read as a mail). */
        private Optional<ManageableMailQueue.MailQueueItemView> view(Message message) {
            try {
                Optional<MimeMessageSource> content = content(message);
                if (content.isEmpty()) {
                    return Optional.empty();
                }
                MailImpl mail = mail(message);
                mail.setMessageNoCopy(new MimeMessageWrapper(content.get()));
                return Optional.of(new ManageableMailQueue.DefaultMailQueueItemView(mail, nextDelivery(message)));
            } catch (JMSException | MessagingException | RuntimeException e) {
                LOGGER.warn("Message {} of queue {} left out of the listing: {}", messageId(message), name.asString(), e.toString());
                return Optional.empty();
            }
        }

        private Optional<MimeMessageSource> content(Message message) throws JMSException {
            if (message instanceof BlobMessage blob) {
                try (InputStream stream = blob.getInputStream()) {
                    return Optional.of(new BufferedSource(new MimeMessageBlobMessageSource(blob)));
                } catch (FileNotFoundException e) {
                    // taken and acknowledged since the browser received it: no longer waiting
                    LOGGER.debug("Message {} of queue {} was consumed while browsing", messageId(message), name.asString());
                    return Optional.empty();
                } catch (IOException e) {
                    throw new JMSException("Cannot read the blob of the message: " + e);
                }
            }
            if (message instanceof ObjectMessage object) {
                return Optional.of(new MimeMessageObjectMessageSource(object));
            }
            throw new JMSException("not a mail queue message: " + message.getClass().getName());
        }

        private String messageId(Message message) {
            try {
                return message.getJMSMessageID();
            } catch (JMSException e) {
                return "?";
            }
        }
    }

    private static void closeConnection(Connection connection) {
        if (connection != null) {
            try {
                connection.close(); // closes its session and browser
            } catch (JMSException e) {
                LOGGER.debug("Closing a queue browser's connection failed", e);
            }
        }
    }

    /**
     * The blob read through a buffer: the blob strategy gives an unbuffered file stream, and the headers are parsed
     * from it a line at a time.
     */
    private record BufferedSource(MimeMessageBlobMessageSource blob) implements MimeMessageSource {
        @Override
        public String getSourceId() {
            return blob.getSourceId();
        }

        @Override
        public InputStream getInputStream() throws IOException {
            return new BufferedInputStream(blob.getInputStream());
        }

        @Override
        public long getMessageSize() throws IOException {
            return blob.getMessageSize();
        }
    }

    /** The mail, without its content, from the properties James's JMS queue gives each message. */
    static MailImpl mail(Message message) throws JMSException {
        String name = message.getStringProperty(JMSSupport.JAMES_MAIL_NAME);
        MailImpl.Builder builder = MailImpl.builder().name(name)
            .sender(MaybeSender.getMailSender(message.getStringProperty(JMSSupport.JAMES_MAIL_SENDER)).asOptional())
            .state(message.getStringProperty(JMSSupport.JAMES_MAIL_STATE))
            .errorMessage(message.getStringProperty(JMSSupport.JAMES_MAIL_ERROR_MESSAGE))
            .lastUpdated(new Date(message.getLongProperty(JMSSupport.JAMES_MAIL_LAST_UPDATED)))
            .remoteAddr(message.getStringProperty(JMSSupport.JAMES_MAIL_REMOTEADDR))
            .remoteHost(message.getStringProperty(JMSSupport.JAMES_MAIL_REMOTEHOST));
        for (String recipient : split(message.getStringProperty(JMSSupport.JAMES_MAIL_RECIPIENTS))) {
            try {
                builder.addRecipient(new MailAddress(recipient));
            } catch (AddressException e) {
                LOGGER.warn("Mail {}: recipient '{}' cannot be parsed; left out of the listing", name, recipient);
            }
        }
        List<Attribute> attributes = new ArrayList<>();
        for (String attribute : split(message.getStringProperty(JMSSupport.JAMES_MAIL_ATTRIBUTE_NAMES))) {
            Object json = message.getObjectProperty(attribute);
            try {
                if (!(json instanceof String)) {
                    throw new IOException("not a JSON string: " + json);
                }
                attributes.add(new Attribute(AttributeName.of(attribute), AttributeValue.fromJsonString((String) json)));
            } catch (IOException | RuntimeException e) {
                LOGGER.warn("Mail {}: attribute {} cannot be read ({}); left out of the listing", name, attribute, e.toString());
            }
        }
        builder.addAttributes(attributes);
        PerRecipientHeaders headers = new PerRecipientHeaders();
        for (Object property : Collections.list(message.getPropertyNames())) {
            String propertyName = String.valueOf(property);
            if (propertyName.startsWith(PER_RECIPIENT_HEADERS_PREFIX)) {
                try {
                    MailAddress recipient = new MailAddress(propertyName.substring(PER_RECIPIENT_HEADERS_PREFIX.length()));
                    for (String header : message.getStringProperty(propertyName).split("\n")) {
                        headers.addHeaderForRecipient(PerRecipientHeaders.Header.fromString(header), recipient);
                    }
                } catch (AddressException | RuntimeException e) {
                    LOGGER.warn("Mail {}: per-recipient headers {} cannot be read ({}); left out of the listing", name, propertyName, e.toString());
                }
            }
        }
        if (!headers.getHeadersByRecipient().isEmpty()) {
            builder.addAllHeadersForRecipients(headers);
        }
        return builder.build();
    }

    private static Optional<ZonedDateTime> nextDelivery(Message message) throws JMSException {
        if (!message.propertyExists(JMSSupport.JAMES_NEXT_DELIVERY)) {
            return Optional.empty();
        }
        return Optional.of(Instant.ofEpochMilli(message.getLongProperty(JMSSupport.JAMES_NEXT_DELIVERY)).atZone(ZoneId.systemDefault()));
    }

    private static List<String> split(String values) {
        List<String> result = new ArrayList<>();
        if (values != null) {
            for (String value : values.split(JMSSupport.JAMES_MAIL_SEPARATOR)) {
                if (!value.isBlank()) {
                    result.add(value.trim());
                }
            }
        }
        return result;
    }
}
