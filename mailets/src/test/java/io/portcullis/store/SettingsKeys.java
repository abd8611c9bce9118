package io.portcullis.store;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

import io.portcullis.delivery.DeliveryConfiguration;
import io.portcullis.dns.DnsConfiguration;
import io.portcullis.quarantine.QuarantineConfiguration;
import io.portcullis.report.ReportConfiguration;
import io.portcullis.scoring.ScoringBudget;
import io.portcullis.tracking.TrackingSettings;

/**
 * Which keys of {@code conf/portcullis.properties} and {@code conf/delivery.properties} the code reads, gathered from
 * the settings classes' {@code PREFIX} and {@code KEYS} for the tests that compare them with the shipped files and the
 * manuals ({@code PortcullisPropertiesTest}, {@code DocumentationReferencesTest}).
 *
 * <p>A settings class with a new prefix adds one entry to {@link #OWNERS} and its keys to {@link #keysRead()}.
 */
public final class SettingsKeys {
    /** Prefix of {@code conf/portcullis.properties} → whether a key of that prefix is read. */
    public static final Map<String, Predicate<String>> OWNERS = Map.of(
        StoreConfiguration.PREFIX, StoreConfiguration.KEYS::contains,
        TrackingSettings.PREFIX, TrackingSettings.KEYS::contains,
        DnsConfiguration.PREFIX, DnsConfiguration.KEYS::contains,
        QuarantineConfiguration.PREFIX, QuarantineConfiguration::isKey,
        ReportConfiguration.PREFIX, ReportConfiguration.KEYS::contains,
        ScoringBudget.PREFIX, ScoringBudget.KEYS::contains);

    private SettingsKeys() {
    }

    /** Whether a settings class reads this key of {@code conf/portcullis.properties}. */
    public static boolean isRead(String key) {
        return OWNERS.entrySet().stream().anyMatch(owner -> key.startsWith(owner.getKey()) && owner.getValue().test(key));
    }

    /** Whether {@code key} starts with the prefix of a settings class of either file. */
    public static boolean hasKnownPrefix(String key) {
        return OWNERS.keySet().stream().anyMatch(key::startsWith)
            || DeliveryConfiguration.PLAIN_KEYS.stream().map(SettingsKeys::prefixOf).anyMatch(key::startsWith)
            || key.startsWith("domain.");
    }

    /** Every key the code reads that {@code conf/portcullis.properties} must document (per-area keys for the default areas). */
    public static Set<String> keysRead() {
        Set<String> keys = new TreeSet<>();
        keys.addAll(StoreConfiguration.KEYS);
        keys.addAll(TrackingSettings.KEYS);
        keys.addAll(DnsConfiguration.KEYS);
        keys.addAll(QuarantineConfiguration.KEYS);
        for (String area : QuarantineConfiguration.defaults().areas().keySet()) {
            keys.add(QuarantineConfiguration.PREFIX + "area." + area + ".retention");
            keys.add(QuarantineConfiguration.PREFIX + "area." + area + ".userRelease");
        }
        keys.addAll(ReportConfiguration.KEYS);
        keys.addAll(ScoringBudget.KEYS);
        return keys;
    }

    private static String prefixOf(String key) {
        int dot = key.indexOf('.');
        return dot < 0 ? key : key.substring(0, dot + 1);
    }
}
