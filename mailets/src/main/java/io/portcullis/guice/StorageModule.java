package io.portcullis.guice;

import java.io.File;
import java.io.FileNotFoundException;
import java.nio.file.Path;
import java.util.List;

import javax.inject.Singleton;

import org.apache.james.core.healthcheck.HealthCheck;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.utils.InitializationOperation;
import org.apache.james.utils.InitilizationOperationBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.ProvidesIntoSet;

import io.portcullis.storage.StorageConfiguration;
import io.portcullis.storage.StorageGuard;
import io.portcullis.storage.StorageHealthCheck;
import io.portcullis.store.PortcullisProperties;

/**
 * The free-space guard: {@link StorageGuard} over the directories the gateway writes (under {@code var/}: the mail
 * queue {@code store/activemq}, the mailboxes and James's data {@code derby}, the gateway store
 * {@code portcullis-store}, the mail repositories {@code mail}; and {@code logs/}), its settings from
 * {@code conf/portcullis.properties} ({@code storage.*}, validated at start-up: a bad value stops the server naming
 * the key and the value), and the {@code Storage} health check. The SMTP hook {@code RefuseWhenStorageLow}, the
 * mailet {@code RetryOnStorageFailure} and the spool gate {@code StorageGatedMailQueueFactory} use it.
 */
public class StorageModule extends AbstractModule {
    private static final Logger LOGGER = LoggerFactory.getLogger(StorageModule.class);

    @Override
    protected void configure() {
        Multibinder.newSetBinder(binder(), HealthCheck.class).addBinding().to(StorageHealthCheck.class);
    }

    @Provides
    @Singleton
    StorageGuard storageGuard(PortcullisProperties properties, FileSystem fileSystem) throws FileNotFoundException {
        StorageConfiguration configuration = StorageConfiguration.from(properties.properties());
        Path var = fileSystem.getFile("file://var/").toPath().toAbsolutePath();
        Path logs = new File(fileSystem.getBasedir(), "logs").toPath().toAbsolutePath();
        List<Path> watched = List.of(var, var.resolve("store/activemq"), var.resolve("derby"), var.resolve("portcullis-store"),
            var.resolve("mail"), logs);
        return new StorageGuard(configuration, watched, List.of(var.resolve("store/activemq/blob-transfer")), System::nanoTime);
    }

    @ProvidesIntoSet
    InitializationOperation reportStorage(StorageGuard guard, StorageHealthCheck check) {
        return InitilizationOperationBuilder.forClass(StorageGuard.class).init(() -> {
            StorageConfiguration c = guard.configuration();
            LOGGER.info("Storage guard: {}; SMTP refuses below max({} bytes, {} x largest message) + {} x queued bytes,"
                    + " the spooler pauses below {} bytes", check.describe(), c.minFreeBytes(), c.messageSizeFactor(), c.queuedFactor(),
                c.spoolMinFreeBytes());
            guard.spoolShortage();
            guard.smtpShortage();
        });
    }

    /** All instances are equal, so Guice installs the module once even when it is listed twice. */
    @Override
    public boolean equals(Object other) {
        return other instanceof StorageModule;
    }

    @Override
    public int hashCode() {
        return StorageModule.class.hashCode();
    }
}
