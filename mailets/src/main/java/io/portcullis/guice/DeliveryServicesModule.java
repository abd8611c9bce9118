package io.portcullis.guice;

import java.io.FileNotFoundException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.inject.Singleton;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.filesystem.api.JamesDirectoriesProvider;
import org.apache.james.utils.PropertiesProvider;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Scopes;

import io.portcullis.delivery.DeliveryConfiguration;
import io.portcullis.delivery.DeliveryJournal;
import io.portcullis.delivery.DeliveryLog;
import io.portcullis.delivery.DeliveryRecorder;
import io.portcullis.delivery.PendingLog;
import io.portcullis.delivery.PendingTimeouts;
import io.portcullis.delivery.smtp.RecipientVerifier;
import io.portcullis.delivery.smtp.SmtpRecipientVerifier;

/**
 * Delivery: modes (conf/delivery.properties), recipient verification, the Delivery and Pending logs and their
 * routes, the pending timeout scheduler (started with the server, stopped with it).
 * Needs from outside: {@link io.portcullis.store.GatewayStore} and {@link io.portcullis.tracking.MessageTracker}
 * (tracking module), James's {@code MailQueueFactory<? extends ManageableMailQueue>}, {@code Clock},
 * {@code JsonTransformer}, {@code PropertiesProvider}. For the Delivery log to see deferrals and replies, also
 * install {@link DeliveryQueueObservationModule} as an override of the queue bindings.
 */
public class DeliveryServicesModule extends AbstractModule {
    @Override
    protected void configure() {
        bind(DeliveryLog.class).in(Scopes.SINGLETON);
        bind(DeliveryRecorder.class).in(Scopes.SINGLETON);
        bind(PendingLog.class).in(Scopes.SINGLETON);
        bind(PendingTimeouts.class).in(Scopes.SINGLETON);
        bind(SmtpRecipientVerifier.class).in(Scopes.SINGLETON);
        bind(RecipientVerifier.class).to(SmtpRecipientVerifier.class);
    }

    /** The delivery receipts journal, in {@code var/portcullis-delivery-journal}. */
    @Provides
    @Singleton
    DeliveryJournal deliveryJournal(JamesDirectoriesProvider directories) {
        return DeliveryJournal.open(Path.of(directories.getVarDirectory()).resolve("portcullis-delivery-journal"));
    }

    @Provides
    @Singleton
    DeliveryConfiguration deliveryConfiguration(PropertiesProvider propertiesProvider) throws ConfigurationException {
        try {
            Configuration configuration = propertiesProvider.getConfiguration(DeliveryConfiguration.FILE);
            Map<String, String> values = new LinkedHashMap<>();
            Iterator<String> keys = configuration.getKeys();
            while (keys.hasNext()) {
                String key = keys.next();
                values.put(key, String.join(",", configuration.getStringArray(key)));
            }
            return DeliveryConfiguration.parse(values);
        } catch (FileNotFoundException e) {
            return DeliveryConfiguration.defaults();
        }
    }


    /** All instances are equal, so Guice installs the module once even when it is listed twice. */
    @Override
    public boolean equals(Object other) {
        return other instanceof DeliveryServicesModule;
    }

    @Override
    public int hashCode() {
        return DeliveryServicesModule.class.hashCode();
    }
}
