package io.portcullis.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

import javax.mail.MessagingException;

import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.queue.memory.MemoryMailQueueFactory;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.portcullis.mail.PortcullisAttributes;

class RetryOnStorageFailureTest {
    @TempDir
    Path dir;

    private final MemoryMailQueueFactory queues = new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory());
    private RetryOnStorageFailure mailet;

    @BeforeEach
    void setUp() throws Exception {
        StorageGuard roomy = new StorageGuard(new StorageConfiguration(1, 0, 0, 0, Duration.ZERO), List.of(dir), List.of(), System::nanoTime);
        mailet = new RetryOnStorageFailure(roomy, queues);
        mailet.init(FakeMailetConfig.builder().mailetName("RetryOnStorageFailure").setProperty("delay", "0s").build());
    }

    private static FakeMail failed(Throwable error) throws MessagingException {
        FakeMail mail = FakeMail.builder().name("m1").state(Mail.ERROR).recipient("bob@acme.test").build();
        mail.setAttribute(new Attribute(Mail.MAILET_ERROR, AttributeValue.ofUnserializable(error)));
        mail.setAttribute(new Attribute(PortcullisAttributes.SPOOL_STATE, AttributeValue.of("deliver")));
        mail.setErrorMessage("Exception calling LocalDelivery");
        return mail;
    }

    private ManageableMailQueue spool() {
        return queues.getQueue(MailQueueFactory.SPOOL).orElseThrow();
    }

    @Test
    void serviceShouldPutTheMailBackInTheSpoolWhenTheDiskIsFull() throws Exception {
        FakeMail mail = failed(new MessagingException("Error while storing", new IOException("No space left on device")));

        mailet.service(mail);

        assertThat(mail.getState()).isEqualTo(Mail.GHOST);
        assertThat(spool().getSize()).isEqualTo(1);
        Mail queued = spool().browse().next().getMail();
        assertThat(queued.getState()).isEqualTo("deliver");
        assertThat(queued.getErrorMessage()).isNull();
        assertThat(queued.getAttribute(PortcullisAttributes.STORAGE_RETRIES).flatMap(a -> a.getValue().valueAs(Integer.class))).contains(1);
    }

    @Test
    void serviceShouldRecogniseADatabaseThatCannotWriteItsPages() throws Exception {
        FakeMail mail = failed(new RuntimeException("Commit of transaction failed",
            new SQLException("Page Page(1168,Container(0, 1200)) could not be written to disk, please check if the disk is full", "XSDG1")));

        mailet.service(mail);

        assertThat(mail.getState()).isEqualTo(Mail.GHOST);
        assertThat(spool().getSize()).isEqualTo(1);
    }

    @Test
    void serviceShouldLeaveOtherFailuresToTheErrorProcessorWhenThereIsRoom() throws Exception {
        FakeMail mail = failed(new MessagingException("Unparseable recipient"));

        mailet.service(mail);

        assertThat(mail.getState()).isEqualTo(Mail.ERROR);
        assertThat(mail.getErrorMessage()).isEqualTo("Exception calling LocalDelivery");
        assertThat(queues.getQueue(MailQueueFactory.SPOOL).map(q -> {
            try {
                return q.getSize();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        })).contains(0L);
    }

    @Test
    void serviceShouldRetryAnyFailureWhileTheDiskIsBelowTheSmtpThreshold() throws Exception {
        StorageGuard full = new StorageGuard(new StorageConfiguration(1L << 60, 0, 0, 0, Duration.ZERO), List.of(dir), List.of(), System::nanoTime);
        RetryOnStorageFailure retry = new RetryOnStorageFailure(full, queues);
        retry.init(FakeMailetConfig.builder().mailetName("RetryOnStorageFailure").build());
        FakeMail mail = failed(new MessagingException("some failure"));

        retry.service(mail);

        assertThat(mail.getState()).isEqualTo(Mail.GHOST);
        assertThat(spool().getSize()).isEqualTo(1);
    }

    @Test
    void serviceShouldRetryInTheConfiguredProcessorTheCopyLocalDeliverySendsWhenTheDiskIsLow() throws Exception {
        StorageGuard full = new StorageGuard(new StorageConfiguration(1L << 60, 0, 0, 0, Duration.ZERO), List.of(dir), List.of(), System::nanoTime);
        RetryOnStorageFailure retry = new RetryOnStorageFailure(full, queues);
        retry.init(FakeMailetConfig.builder().mailetName("RetryOnStorageFailure").setProperty("processor", "deliver").build());
        FakeMail copy = FakeMail.builder().name("error-m1").state("local-delivery-error").recipient("bob@acme.test").build();
        copy.setAttribute(new Attribute(PortcullisAttributes.SPOOL_STATE, AttributeValue.of("root")));

        retry.service(copy);

        assertThat(copy.getState()).isEqualTo(Mail.GHOST);
        assertThat(spool().browse().next().getMail().getState()).isEqualTo("deliver");
    }
}
