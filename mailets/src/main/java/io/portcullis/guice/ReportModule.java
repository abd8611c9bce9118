package io.portcullis.guice;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;

import javax.inject.Named;
import javax.inject.Singleton;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.filesystem.api.JamesDirectoriesProvider;
import org.apache.james.task.TaskManager;
import org.apache.james.utils.InitializationOperation;
import org.apache.james.utils.InitilizationOperationBuilder;
import org.apache.james.utils.PropertiesProvider;
import org.apache.james.webadmin.Routes;
import org.apache.mailet.MailetContext;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.OptionalBinder;
import com.google.inject.multibindings.ProvidesIntoSet;
import com.google.inject.name.Names;

import io.portcullis.quarantine.QuarantineService;
import io.portcullis.report.ReportConfiguration;
import io.portcullis.report.ReportService;
import io.portcullis.report.ReportStore;
import io.portcullis.report.route.ReportActionRoutes;
import io.portcullis.report.route.ReportRoutes;
import io.portcullis.report.schedule.ReportScheduler;
import io.portcullis.report.token.ReportTokens;
import io.portcullis.store.GatewayStore;
import io.portcullis.tracking.MessageTracker;

/**
 * Quarantine reports: {@link ReportService} (used by the {@code SendQuarantineReport} mailet), the signed-link
 * key (generated at first start as {@code portcullis-report.key} in the server's var directory, mode 600), the public link route
 * {@code /portcullis/public/report-action} (a {@code PublicRoutes}: outside WebAdmin authentication), the
 * {@code POST /portcullis/reports} route and the scheduler started with the server. Reads the {@code report.*}
 * keys of {@code conf/portcullis.properties}.
 *
 * <p>Needs from outside: {@link QuarantineService} (QuarantineModule), {@link GatewayStore} and
 * {@link MessageTracker} (tracking), James's {@link MailetContext}, {@link PropertiesProvider},
 * {@link JamesDirectoriesProvider} (the key file is relative to the var directory), {@link TaskManager} and {@code CanSendFrom}. The clock is
 * {@code @Named("portcullis.report.clock") Clock} (an {@link OptionalBinder}, system UTC by default; tests set it).
 */
public class ReportModule extends AbstractModule {
    public static final String CLOCK = "portcullis.report.clock";

    @Override
    protected void configure() {
        OptionalBinder.newOptionalBinder(binder(), com.google.inject.Key.get(Clock.class, Names.named(CLOCK)))
            .setDefault().toInstance(Clock.systemUTC());
        bind(ReportStore.class).in(com.google.inject.Scopes.SINGLETON);
        bind(ReportActionRoutes.class).in(com.google.inject.Scopes.SINGLETON);
        bind(ReportRoutes.class).in(com.google.inject.Scopes.SINGLETON);
        Multibinder<Routes> routes = Multibinder.newSetBinder(binder(), Routes.class);
        routes.addBinding().to(ReportActionRoutes.class);
        routes.addBinding().to(ReportRoutes.class);
    }

    @Provides
    @Singleton
    ReportConfiguration configuration(PropertiesProvider propertiesProvider) throws ConfigurationException {
        try {
            return ReportConfiguration.from(QuarantineServicesModule.toProperties(propertiesProvider.getConfiguration(QuarantineServicesModule.PROPERTIES)));
        } catch (FileNotFoundException e) {
            return ReportConfiguration.defaults();
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(e.getMessage(), e);
        }
    }

    @Provides
    @Singleton
    ReportTokens tokens(ReportConfiguration configuration, JamesDirectoriesProvider directories, @Named(CLOCK) Clock clock) throws IOException {
        Path key = configuration.keyFile();
        if (!key.isAbsolute()) {
            key = Path.of(directories.getVarDirectory()).resolve(key);
        }
        return new ReportTokens(ReportTokens.loadOrCreateKey(key), clock);
    }

    @Provides
    @Singleton
    ReportService service(QuarantineService quarantine, ReportStore store, ReportTokens tokens, MessageTracker tracker,
                          MailetContext context, ReportConfiguration configuration, @Named(CLOCK) Clock clock) {
        return new ReportService(quarantine, store, tokens, tracker, context, configuration, clock, ReportService.contextSink(context, quarantine.configuration().releaseProcessor()));
    }

    @Provides
    @Singleton
    ReportScheduler scheduler(ReportService service, ReportStore store, TaskManager taskManager, ReportConfiguration configuration,
                              @Named(CLOCK) Clock clock) {
        return new ReportScheduler(service, store, taskManager, configuration, clock);
    }

    @ProvidesIntoSet
    InitializationOperation startReportScheduler(ReportScheduler scheduler) {
        return InitilizationOperationBuilder.forClass(ReportScheduler.class).init(scheduler::start);
    }
}
