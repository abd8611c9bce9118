package io.portcullis.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.List;
import java.util.Optional;

import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.queue.memory.MemoryMailQueueFactory;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Mail;
import org.junit.jupiter.api.Test;

/** The Pending log over James's in-memory queues (the bundled server's ActiveMQ ones: LazyBrowseMailQueueFactoryTest). */
class PendingLogTest {
    private final MemoryMailQueueFactory queues = new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory());
    private final PendingLog pendingLog = new PendingLog(queues, DeliveryConfiguration.defaults(), null, Clock.systemUTC());

    @Test
    void aMailMetTwiceShouldBeListedOnceAsItWasMetLast() throws Exception {
        // the spool has not acknowledged m1 yet, which it queued for delivery
        enqueue(MailQueueFactory.SPOOL, mail("m1", Mail.DEFAULT, null));
        enqueue(MailQueueName.of("outgoing"), mail("m1", Mail.DEFAULT, null));
        // RemoteDelivery queued the retry of m2 and has not acknowledged the attempt yet
        enqueue(MailQueueName.of("outgoing"), mail("m2", Mail.DEFAULT, null));
        enqueue(MailQueueName.of("outgoing"), mail("m2", Mail.ERROR, "451 4.3.0 try later"));
        enqueue(MailQueueFactory.SPOOL, mail("m3", Mail.DEFAULT, null));

        List<PendingMail> pending = pendingLog.list();

        assertThat(pending).extracting(PendingMail::mailName).containsExactlyInAnyOrder("m1", "m2", "m3");
        assertThat(pending).filteredOn(mail -> mail.mailName().equals("m1")).extracting(PendingMail::queue).containsExactly("outgoing");
        assertThat(pending).filteredOn(mail -> mail.mailName().equals("m2")).extracting(PendingMail::lastError)
            .containsExactly(Optional.of("451 4.3.0 try later"));
        assertThat(pending).filteredOn(mail -> mail.mailName().equals("m3")).extracting(PendingMail::subject)
            .containsExactly(Optional.of("subject of m3"));
    }

    private void enqueue(MailQueueName queue, Mail mail) throws Exception {
        queues.createQueue(queue).enQueue(mail);
        LifecycleUtil.dispose(mail);
    }

    private static Mail mail(String name, String state, String error) throws Exception {
        return MailImpl.builder().name(name).sender("sender@example.org").addRecipients("rcpt@example.net").state(state)
            .errorMessage(error)
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("subject of " + name).setText("body"))
            .build();
    }
}
