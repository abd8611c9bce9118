package io.portcullis.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.queue.memory.MemoryMailQueueFactory;
import org.apache.mailet.Attribute;
import org.apache.mailet.base.test.FakeMail;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import reactor.core.publisher.Flux;

import io.portcullis.mail.PortcullisAttributes;

class StorageGatedMailQueueFactoryTest {
    @TempDir
    Path dir;

    /** A guard whose spool shortage the test switches (the free space of a real disk cannot be). */
    private final class SwitchedGuard extends StorageGuard {
        private final AtomicBoolean full = new AtomicBoolean(true);

        SwitchedGuard() {
            super(StorageConfiguration.defaults(), List.of(dir), List.of(), System::nanoTime);
        }

        @Override
        public synchronized Optional<Shortage> spoolShortage() {
            return full.get() ? Optional.of(new Shortage(new Volume("test", List.of(dir), 0), 1, 0)) : Optional.empty();
        }
    }

    @Test
    void deQueueShouldWaitWhileTheDiskIsNearlyFullAndResumeWhenSpaceReturns() throws Exception {
        SwitchedGuard guard = new SwitchedGuard();
        StorageGatedMailQueueFactory factory = new StorageGatedMailQueueFactory(
            new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory()), guard, Duration.ofMillis(100));
        MailQueue spool = factory.createQueue(MailQueueFactory.SPOOL);
        spool.enQueue(FakeMail.builder().name("m1").state("root").recipient("bob@acme.test").build());

        Flux<MailQueue.MailQueueItem> items = Flux.from(spool.deQueue()).cache();
        items.subscribe();

        assertThat(items.take(Duration.ofMillis(800)).collectList().block()).isEmpty();
        guard.full.set(false);
        MailQueue.MailQueueItem item = items.next().block(Duration.ofSeconds(5));
        assertThat(item.getMail().getName()).isEqualTo("m1");
        assertThat(item.getMail().getAttribute(PortcullisAttributes.SPOOL_STATE).map(Attribute::getValue).map(v -> (Object) v.value()))
            .contains((Object) "root");
        item.done(MailQueue.MailQueueItem.CompletionStatus.SUCCESS);
    }
}
