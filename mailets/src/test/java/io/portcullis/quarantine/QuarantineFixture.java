package io.portcullis.quarantine;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Properties;

import javax.mail.MessagingException;

import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.MailetContext;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;

import io.portcullis.mail.PortcullisAttributes;
import io.portcullis.store.GatewayStore;
import io.portcullis.store.StoreConfiguration;

/** A real Derby gateway store, a recording tracker, a fake mailet context and a hand-moved clock. */
class QuarantineFixture implements AutoCloseable {
    static final Instant START = Instant.parse("2026-11-23T08:00:00Z");

    final GatewayStore gatewayStore;
    final QuarantineStore store;
    final RecordingTracker tracker = new RecordingTracker();
    final MutableClock clock = new MutableClock(START);
    final FakeMailContext context;
    final QuarantineService service;

    /** One real Derby database per test class (creating one takes seconds); tables are emptied for each test. */
    static GatewayStore openStore(Path dir) {
        // -Dportcullis.test.storeUrl=jdbc:postgresql://... runs the same tests against another database
        // (the JDBC driver added with -Dmaven.test.additionalClasspath=...).
        String url = System.getProperty("portcullis.test.storeUrl", "");
        if (!url.isBlank()) {
            return GatewayStore.open(new StoreConfiguration(url, java.util.Optional.ofNullable(System.getProperty("portcullis.test.storeUser")),
                java.util.Optional.empty(), 4));
        }
        return GatewayStore.open(StoreConfiguration.embeddedDerby(dir.resolve("store")));
    }

    QuarantineFixture(GatewayStore gatewayStore) throws Exception {
        this(gatewayStore, new Properties(), FakeMailContext.builder().postmaster(new org.apache.james.core.MailAddress("postmaster@portcullis.test")).build());
    }

    QuarantineFixture(GatewayStore gatewayStore, Properties properties, FakeMailContext context) throws Exception {
        this.gatewayStore = gatewayStore;
        try (java.sql.Connection connection = gatewayStore.connection(); java.sql.Statement statement = connection.createStatement()) {
            statement.executeUpdate("DELETE FROM quarantine_entry");
            statement.executeUpdate("DELETE FROM quarantine_raw");
            statement.executeUpdate("DELETE FROM quarantine_message");
        }
        this.store = new QuarantineStore(gatewayStore);
        this.context = context;
        this.service = new QuarantineService(store, tracker, context, QuarantineConfiguration.from(properties), clock);
    }

    QuarantineService serviceWith(MailetContext otherContext) {
        return new QuarantineService(store, tracker, otherContext, service.configuration(), clock);
    }

    Quarantine mailet(String area) throws MessagingException {
        Quarantine mailet = new Quarantine(service);
        mailet.init(FakeMailetConfig.builder().mailetName("Quarantine").mailetContext(context).setProperty("area", area).build());
        return mailet;
    }

    static FakeMail mail(String name, String... recipients) throws MessagingException {
        return FakeMail.builder().name(name).sender("spammer@remote.example").recipients(recipients)
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("Cheap pills " + name).setText("buy now"))
            .attribute(new Attribute(PortcullisAttributes.TRACKING_ID, AttributeValue.of("t-" + name)))
            .attribute(new Attribute(PortcullisAttributes.SCORE, AttributeValue.of(85)))
            .attribute(new Attribute(PortcullisAttributes.REASONS, AttributeValue.of(List.of(AttributeValue.of("dnsbl: listed +40"),
                AttributeValue.of("content: pills +45")))))
            .attribute(new Attribute(PortcullisAttributes.DIRECTION, AttributeValue.of("inbound")))
            .build();
    }

    @Override
    public void close() {
    }
}
