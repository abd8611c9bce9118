package io.portcullis.delivery.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailQueueName;
import org.apache.mailet.Mail;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

class ObservedMailQueueFactoryTest {
    /** A queue whose dequeue loop records the threads it runs on, as James's blocking JMS receive loop would block them. */
    static final class RecordingQueue implements MailQueue {
        final List<String> threads = new CopyOnWriteArrayList<>();

        @Override
        public MailQueueName getName() {
            return MailQueueName.of("outgoing");
        }

        @Override
        public void enQueue(Mail mail, Duration delay) {
        }

        @Override
        public void enQueue(Mail mail) {
        }

        @Override
        public Publisher<Void> enqueueReactive(Mail mail) {
            return Mono.empty();
        }

        @Override
        public Publisher<MailQueueItem> deQueue() {
            return Mono.<MailQueueItem>fromCallable(() -> {
                threads.add(Thread.currentThread().getName());
                return null;
            }).repeat(20);
        }

        @Override
        public void close() {
        }
    }

    @Test
    void deQueueShouldRunTheBlockingLoopOnADedicatedThreadNotOnTheConsumersWorkers() {
        RecordingQueue queue = new RecordingQueue();
        MailQueueFactory<MailQueue> delegate = new MailQueueFactory<>() {
            @Override
            public Optional<MailQueue> getQueue(MailQueueName name, PrefetchCount count) {
                return Optional.of(queue);
            }

            @Override
            public MailQueue createQueue(MailQueueName name, PrefetchCount count) {
                return queue;
            }

            @Override
            public Set<MailQueueName> listCreatedMailQueues() {
                return Set.of(queue.getName());
            }
        };
        MailQueue observed = new ObservedMailQueueFactory(delegate, null).createQueue(MailQueueName.of("outgoing"));
        Scheduler workers = Schedulers.newBoundedElastic(2, 100, "test-workers");
        try {
            // As RemoteDelivery subscribes: requests come from the workers that process the items.
            Flux.from(observed.deQueue()).subscribeOn(workers).limitRate(1).collectList().block(Duration.ofSeconds(30));
        } finally {
            workers.dispose();
        }

        assertThat(queue.threads).hasSize(21).allMatch(name -> name.startsWith("portcullis-dequeue-outgoing"));
    }
}
