package io.portcullis.quarantine;

import java.nio.file.Path;
import java.util.List;

import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;

import io.portcullis.store.GatewayStore;

/** Opens the quarantine test fixture to tests of other packages (routes, Guice). */
public class QuarantineTestAccess {
    private final QuarantineFixture fixture;

    public QuarantineTestAccess(GatewayStore store) throws Exception {
        this.fixture = new QuarantineFixture(store);
    }

    public static GatewayStore openStore(Path dir) {
        return QuarantineFixture.openStore(dir);
    }

    public QuarantineService service() {
        return fixture.service;
    }

    public RecordingTracker tracker() {
        return fixture.tracker;
    }

    public FakeMailContext context() {
        return fixture.context;
    }

    public MutableClock clock() {
        return fixture.clock;
    }

    /** Holds a sample spam message for {@code recipients}; returns its entry ids in recipient order. */
    public List<String> hold(String name, String area, String... recipients) throws Exception {
        FakeMail mail = QuarantineFixture.mail(name, recipients);
        fixture.mailet(area).service(mail);
        List<String> ids = new java.util.ArrayList<>();
        for (String recipient : recipients) {
            fixture.service.list(ListCriteria.all().withRecipient(recipient).withPage(1, 300)).entries().stream()
                .filter(e -> e.message().mailName().equals(name)).findFirst().ifPresent(e -> ids.add(e.entryId()));
        }
        return ids;
    }
}
