package io.portcullis.store;

import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * The keys of {@code conf/portcullis.properties} each settings class reads. A settings class declares its prefix and
 * its keys as constants and refuses, through {@link #refuseUnknown}, a key of its prefix it does not read, so that a
 * misspelt key stops start-up instead of being ignored. {@code PortcullisPropertiesTest} compares the union of the
 * declared keys with the shipped file.
 */
public final class KnownKeys {
    private KnownKeys() {
    }

    /** Throws naming the first key of {@code properties} that starts with {@code prefix} and is not in {@code known}. */
    public static void refuseUnknown(Properties properties, String prefix, Set<String> known) {
        for (String key : new TreeSet<>(properties.stringPropertyNames())) {
            if (key.startsWith(prefix) && !known.contains(key)) {
                throw new IllegalArgumentException("portcullis.properties: unknown key '" + key + "': the " + prefix + "* keys are "
                    + new TreeSet<>(known));
            }
        }
    }
}
