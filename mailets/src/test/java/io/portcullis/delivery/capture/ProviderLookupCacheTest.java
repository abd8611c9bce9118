package io.portcullis.delivery.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URL;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

import javax.mail.Session;
import javax.mail.Transport;

import org.junit.jupiter.api.Test;

class ProviderLookupCacheTest {
    /** A class loader counting the searches for the JavaMail provider declarations. */
    static final class CountingLoader extends ClassLoader {
        final AtomicInteger lookups = new AtomicInteger();

        CountingLoader(ClassLoader parent) {
            super(parent);
        }

        @Override
        public Enumeration<URL> getResources(String name) throws IOException {
            if (name.equals(ProviderLookupCache.PROVIDERS)) {
                lookups.incrementAndGet();
            }
            return super.getResources(name);
        }
    }

    private static Class<?> transportsWith(ClassLoader context, int times) throws Exception {
        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        thread.setContextClassLoader(context);
        try {
            Session session = Session.getInstance(new Properties());
            Class<?> type = null;
            for (int i = 0; i < times; i++) {
                Transport transport = session.getTransport("smtp");
                type = transport.getClass();
            }
            return type;
        } finally {
            thread.setContextClassLoader(before);
        }
    }

    @Test
    void javaMailShouldSearchTheClassPathForItsProvidersOnEveryTransport() throws Exception {
        CountingLoader counting = new CountingLoader(getClass().getClassLoader());

        transportsWith(counting, 5);

        assertThat(counting.lookups).hasValue(5); // why the cache exists (javax.mail 1.6.2)
    }

    @Test
    void theProvidersShouldBeSearchedForOnceAndTheTransportBeTheSame() throws Exception {
        CountingLoader counting = new CountingLoader(getClass().getClassLoader());
        ClassLoader cached = ProviderLookupCache.over(counting);

        Class<?> transport = transportsWith(cached, 5);

        assertThat(counting.lookups).hasValue(1);
        assertThat(transport.getName()).isEqualTo("com.sun.mail.smtp.SMTPTransport");
        assertThat(ProviderLookupCache.over(counting)).isSameAs(cached);
        assertThat(ProviderLookupCache.over(cached)).isSameAs(cached);
        // every other resource goes to the parent
        assertThat(Collections.list(cached.getResources("META-INF/javamail.default.providers")))
            .isEqualTo(Collections.list(counting.getResources("META-INF/javamail.default.providers")));
    }
}
