package io.portcullis.guice;

import java.util.Properties;

import org.apache.commons.configuration2.Configuration;
import org.apache.james.utils.InitializationOperation;
import org.apache.james.utils.InitilizationOperationBuilder;
import org.apache.james.webadmin.Routes;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.ProvidesIntoSet;

import io.portcullis.quarantine.QuarantineScheduler;
import io.portcullis.quarantine.route.QuarantineRoutes;

/**
 * Quarantine in the bundled server: {@link QuarantineServicesModule} plus the WebAdmin routes
 * {@code /portcullis/quarantine…} and the expiry / notification scheduler started with the server.
 */
public class QuarantineModule extends AbstractModule {
    public static final String PROPERTIES = QuarantineServicesModule.PROPERTIES;

    @Override
    protected void configure() {
        install(new QuarantineServicesModule());
        Multibinder.newSetBinder(binder(), Routes.class).addBinding().to(QuarantineRoutes.class);
    }

    static Properties toProperties(Configuration configuration) {
        return QuarantineServicesModule.toProperties(configuration);
    }

    @ProvidesIntoSet
    InitializationOperation startQuarantineScheduler(QuarantineScheduler scheduler) {
        return InitilizationOperationBuilder.forClass(QuarantineScheduler.class).init(scheduler::start);
    }
}
