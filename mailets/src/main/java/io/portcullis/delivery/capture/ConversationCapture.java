package io.portcullis.delivery.capture;

import java.time.Clock;
import java.util.Optional;

import org.slf4j.MDC;

/**
 * Links the SMTP conversations RemoteDelivery makes to the mail being delivered. James's RemoteDelivery
 * delivers one mail at a time per worker thread, with the mail's name in the logging context ({@code MDC "mail"});
 * the socket factory opens a conversation under that name on the worker thread, and the code that runs next on the
 * same thread (the re-enqueue of a deferred mail, the hand-over to the onSuccess / bounce processors) reads it.
 * Only the last conversation of a thread is kept (with several servers tried, the last one decided).
 */
public final class ConversationCapture {
    /** Key James's DeliveryRunnable puts the mail name under. */
    public static final String MDC_MAIL = "mail";
    private static final ThreadLocal<SmtpConversation> LAST = new ThreadLocal<>();
    private static volatile Clock clock = Clock.systemUTC();

    private ConversationCapture() {
    }

    static SmtpConversation open() {
        SmtpConversation conversation = new SmtpConversation(Optional.ofNullable(MDC.get(MDC_MAIL)).orElse(""), clock.instant());
        LAST.set(conversation);
        return conversation;
    }

    /** The last conversation of this thread if it was made for {@code mailName}. */
    public static Optional<SmtpConversation> lastFor(String mailName) {
        return Optional.ofNullable(LAST.get()).filter(conversation -> conversation.mailName().equals(mailName));
    }

    public static void clear() {
        LAST.remove();
    }
}
