package io.portcullis.server;

import org.apache.james.ExtraProperties;
import org.apache.james.GuiceJamesServer;
import org.apache.james.JamesServerMain;
import org.apache.james.modules.MailboxModule;
import org.apache.james.modules.MailetProcessingModule;
import org.apache.james.modules.data.MemoryDataModule;
import org.apache.james.modules.data.MemoryDelegationStoreModule;
import org.apache.james.modules.eventstore.MemoryEventStoreModule;
import org.apache.james.modules.protocols.IMAPServerModule;
import org.apache.james.modules.protocols.POP3ServerModule;
import org.apache.james.modules.protocols.ProtocolHandlerModule;
import org.apache.james.modules.protocols.SMTPServerModule;
import org.apache.james.modules.server.DataRoutesModules;
import org.apache.james.modules.server.DefaultProcessorsConfigurationProviderModule;
import org.apache.james.modules.server.MailQueueRoutesModule;
import org.apache.james.modules.server.MailRepositoriesRoutesModule;
import org.apache.james.modules.server.MailboxRoutesModule;
import org.apache.james.modules.server.NoJwtModule;
import org.apache.james.modules.server.RawPostDequeueDecoratorModule;
import org.apache.james.modules.server.TaskManagerModule;
import org.apache.james.modules.server.WebAdminServerModule;
import org.apache.james.server.core.configuration.Configuration;

import com.google.inject.Module;
import com.google.inject.util.Modules;

import io.portcullis.guice.DeliveryModule;
import io.portcullis.guice.DeliveryQueueObservationModule;
import io.portcullis.guice.QuarantineModule;
import io.portcullis.guice.ReportModule;
import io.portcullis.guice.ScoringModule;
import io.portcullis.guice.StorageModule;
import io.portcullis.guice.TrackingModule;
import io.portcullis.server.domains.InitialDomainsModule;
import io.portcullis.server.persistence.JpaDataModule;
import io.portcullis.server.persistence.JpaDatabaseModule;
import io.portcullis.server.persistence.JpaMailboxModule;
import io.portcullis.server.queue.PersistentQueueModule;
import io.portcullis.server.security.WebAdminSecurityModule;

/**
 * The bundled Portcullis server: published James 3.8.1 Guice building blocks with persistent storage
 * (users, domains, aliases and mailboxes on JPA / embedded Derby, the mail queue on embedded ActiveMQ with
 * KahaDB, mail repositories on disk), SMTP, submission, IMAP, POP3 and WebAdmin, plus the Portcullis module.
 * {@link #createServer(Configuration)} is what {@code main} and the end-to-end tests both start.
 */
public class PortcullisServerMain implements JamesServerMain {

    /** James's WebAdmin with its authentication filter replaced by the Portcullis guard (token, JWT, Host and Origin checks). */
    public static final Module WEBADMIN = Modules.combine(
        Modules.override(new WebAdminServerModule()).with(new WebAdminSecurityModule()),
        new DataRoutesModules(),
        new MailboxRoutesModule(),
        new MailQueueRoutesModule(),
        new MailRepositoriesRoutesModule());

    public static final Module PROTOCOLS = Modules.combine(
        new IMAPServerModule(),
        new POP3ServerModule(),
        new ProtocolHandlerModule(),
        new SMTPServerModule());

    public static final Module STORAGE = Modules.combine(
        Modules.override(new MemoryDataModule()).with(new JpaDataModule()),
        new JpaDatabaseModule(),
        new JpaMailboxModule(),
        new MemoryDelegationStoreModule(),
        new MemoryEventStoreModule(),
        Modules.override(new PersistentQueueModule()).with(new DeliveryQueueObservationModule()));

    public static final Module SERVER = Modules.combine(
        new MailetProcessingModule(),
        new MailboxModule(),
        new TaskManagerModule(),
        new RawPostDequeueDecoratorModule(),
        new DefaultProcessorsConfigurationProviderModule(),
        new NoJwtModule(),
        new InitialDomainsModule());

    /** The Portcullis capabilities with their routes and scheduled jobs (an existing James lists the *ServicesModule variants). */
    public static final Module PORTCULLIS = Modules.combine(
        new TrackingModule(),
        new ScoringModule(),
        new QuarantineModule(),
        new ReportModule(),
        new DeliveryModule(),
        new StorageModule());

    public static void main(String[] args) throws Exception {
        ExtraProperties.initialize();
        String workingDirectory = System.getProperty(Configuration.WORKING_DIRECTORY);
        if (workingDirectory == null) {
            throw new IllegalArgumentException("Start Portcullis with -D" + Configuration.WORKING_DIRECTORY + "=<distribution folder> (bin/portcullis does)");
        }
        Configuration configuration = DataDirectories.configuration(workingDirectory);
        JamesServerMain.main(createServer(configuration));
    }

    public static GuiceJamesServer createServer(Configuration configuration) {
        return GuiceJamesServer.forConfiguration(configuration)
            .combineWith(SERVER, STORAGE, PROTOCOLS, WEBADMIN, PORTCULLIS);
    }
}
