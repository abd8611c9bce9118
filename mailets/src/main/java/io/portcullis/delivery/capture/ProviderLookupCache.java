package io.portcullis.delivery.capture;

import java.io.IOException;
import java.net.URL;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The context class loader of a RemoteDelivery worker while it delivers: its parent's, except that the JavaMail
 * provider declarations are looked up once.
 *
 * <p>JavaMail 1.6.2 looks its transport up with {@link java.util.ServiceLoader} on every
 * {@code Session.getTransport} ({@code Session.getProviderByProtocol} keeps only what its own configuration files
 * declare, and a provider found by the ServiceLoader is returned without being kept): every delivery had the class
 * loader search each of the distribution's 345 jars for {@code META-INF/services/javax.mail.Provider}. A flight
 * recording of the full flow under load put 3.5 % of the server's CPU there. The jars do not change while the server
 * runs, so the list of those files is read once per parent loader; every other lookup, and every class, goes to the
 * parent unchanged.
 */
final class ProviderLookupCache extends ClassLoader {
    static final String PROVIDERS = "META-INF/services/javax.mail.Provider";
    private static final Map<ClassLoader, ProviderLookupCache> BY_PARENT = new ConcurrentHashMap<>();

    static {
        registerAsParallelCapable();
    }

    private final List<URL> providers;

    private ProviderLookupCache(ClassLoader parent) {
        super("portcullis-javamail-providers", parent);
        List<URL> found;
        try {
            found = List.copyOf(Collections.list(parent.getResources(PROVIDERS)));
        } catch (IOException e) {
            found = null; // looked up each time, as without this loader
        }
        this.providers = found;
    }

    /** The loader to use in place of {@code parent} (one per parent). */
    static ClassLoader over(ClassLoader parent) {
        if (parent == null || parent instanceof ProviderLookupCache) {
            return parent;
        }
        return BY_PARENT.computeIfAbsent(parent, ProviderLookupCache::new);
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
        if (providers != null && PROVIDERS.equals(name)) {
            return Collections.enumeration(providers);
        }
        return super.getResources(name);
    }
}
