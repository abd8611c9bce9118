package io.portcullis.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeMultipart;

import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.portcullis.mail.PortcullisAttributes;
import io.portcullis.quarantine.EntryState;
import io.portcullis.quarantine.MutableClock;
import io.portcullis.quarantine.QuarantineConfiguration;
import io.portcullis.quarantine.QuarantineService;
import io.portcullis.quarantine.QuarantineStore;
import io.portcullis.report.token.ReportTokens;
import io.portcullis.store.GatewayStore;
import io.portcullis.store.StoreConfiguration;
import io.portcullis.tracking.EventType;
import io.portcullis.tracking.TrackedEvent;

/** The report service and the SendQuarantineReport mailet on a real Derby store, with a fake mailet context. */
class ReportServiceTest {
    static final Instant START = Instant.parse("2026-11-23T08:00:00Z");
    static final Pattern TOKEN = Pattern.compile("token=([A-Za-z0-9_\\-.]+)");

    @TempDir
    static Path dir;
    static GatewayStore gatewayStore;

    record Sent(MailAddress to, MimeMessage message) {
    }

    final MutableClock clock = new MutableClock(START);
    final List<Sent> sent = new ArrayList<>();
    final List<TrackedEvent> events = new ArrayList<>();
    static final Predicate<Domain> OURS = domain -> domain.equals(Domain.of("portcullis.test"));
    FakeMailContext context;
    QuarantineService quarantine;
    ReportStore store;
    ReportService service;

    @BeforeAll
    static void openStore() {
        gatewayStore = GatewayStore.open(StoreConfiguration.embeddedDerby(dir.resolve("store")));
    }

    @AfterAll
    static void closeStore() {
        gatewayStore.close();
    }

    @BeforeEach
    void setUp() throws Exception {
        try (java.sql.Connection connection = gatewayStore.connection(); java.sql.Statement statement = connection.createStatement()) {
            for (String table : List.of("quarantine_entry", "quarantine_raw", "quarantine_message", "report_used_token",
                "report_recipient", "report_allowed_sender", "report_schedule_state", "report_request")) {
                statement.executeUpdate("DELETE FROM " + table);
            }
        }
        context = FakeMailContext.builder().postmaster(new MailAddress("postmaster@portcullis.test")).build();
        quarantine = new QuarantineService(new QuarantineStore(gatewayStore), events::add, context,
            QuarantineConfiguration.from(new Properties()), clock);
        store = new ReportStore(gatewayStore);
        Properties properties = new Properties();
        properties.setProperty("report.publicBaseUrl", "https://gw.example");
        properties.setProperty("report.request.maxPerHour", "3");
        service = new ReportService(quarantine, store, new ReportTokens("0123456789abcdef0123456789abcdef".getBytes(), clock),
            events::add, context, ReportConfiguration.from(properties), clock, (from, to, report) -> sent.add(new Sent(to, report)));
    }

    String hold(String name, String area, String... recipients) throws Exception {
        FakeMail mail = FakeMail.builder().name(name).sender("spammer@remote.example").recipients(recipients)
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("Subject " + name).setText("buy now"))
            .attribute(new Attribute(PortcullisAttributes.TRACKING_ID, AttributeValue.of("t-" + name)))
            .attribute(new Attribute(PortcullisAttributes.SCORE, AttributeValue.of(85)))
            .attribute(new Attribute(PortcullisAttributes.REASONS, AttributeValue.of(List.of(AttributeValue.of("dnsbl: listed +40")))))
            .build();
        List<String> ids = quarantine.hold(mail, quarantine.configuration().area(area).orElseThrow(), false);
        clock.advance(Duration.ofMinutes(1));
        return ids.get(0);
    }

    static String text(MimeMessage message) throws Exception {
        return (String) ((MimeMultipart) message.getContent()).getBodyPart(0).getContent();
    }

    static List<String> tokens(MimeMessage message) throws Exception {
        List<String> result = new ArrayList<>();
        Matcher matcher = TOKEN.matcher(text(message));
        while (matcher.find()) {
            result.add(matcher.group(1));
        }
        return result;
    }

    String releaseToken(MimeMessage message) throws Exception {
        String text = text(message);
        Matcher matcher = Pattern.compile("Release: \\S+token=([A-Za-z0-9_\\-.]+)").matcher(text);
        assertThat(matcher.find()).isTrue();
        return matcher.group(1);
    }

    @Test
    void requestShouldSendReportListingExactlyTheRequestersMessages() throws Exception {
        hold("a", "spam", "bob@portcullis.test");
        hold("b", "spam", "alice@portcullis.test");
        hold("c", "threat", "bob@portcullis.test", "alice@portcullis.test");

        ReportService.RequestOutcome outcome = service.request(new MailAddress("bob@portcullis.test"), "user bob", 14, 5, Optional.of("t-req"));

        assertThat(outcome).isEqualTo(ReportService.RequestOutcome.SENT);
        assertThat(sent).hasSize(1);
        assertThat(sent.get(0).to().asString()).isEqualTo("bob@portcullis.test");
        String text = text(sent.get(0).message());
        assertThat(text).contains("Subject c", "Subject a").doesNotContain("Subject b");
        assertThat(text.indexOf("Subject c")).isLessThan(text.indexOf("Subject a"));
        assertThat(text).contains("Request release:").contains("Release:");
        assertThat(events).anySatisfy(e -> {
            assertThat(e.type()).isEqualTo(EventType.REPORT_REQUESTED);
            assertThat(e.trackingId()).isEqualTo("t-req");
            assertThat(e.info()).containsEntry("Outcome", "SENT");
        });
    }

    @Test
    void requestShouldReplyNothingHeldWhenNothingHeld() throws Exception {
        hold("b", "spam", "alice@portcullis.test");

        assertThat(service.request(new MailAddress("bob@portcullis.test"), "user bob", 14, 5, Optional.empty()))
            .isEqualTo(ReportService.RequestOutcome.NOTHING_HELD_SENT);
        assertThat(text(sent.get(0).message())).contains("No messages held for you (bob@portcullis.test) in the last 14 days.");
    }

    @Test
    void requestShouldBeRefusedWhenRateLimitReached() throws Exception {
        MailAddress bob = new MailAddress("bob@portcullis.test");
        for (int i = 0; i < 3; i++) {
            assertThat(service.request(bob, "user bob", 14, 3, Optional.empty())).isEqualTo(ReportService.RequestOutcome.NOTHING_HELD_SENT);
        }
        assertThat(service.request(bob, "user bob", 14, 3, Optional.empty())).isEqualTo(ReportService.RequestOutcome.RATE_LIMITED);
        assertThat(sent).hasSize(3);

        clock.advance(Duration.ofMinutes(61));
        assertThat(service.request(bob, "user bob", 14, 3, Optional.empty())).isEqualTo(ReportService.RequestOutcome.NOTHING_HELD_SENT);
    }

    @Test
    void inspectShouldChangeNothingAndActShouldReleaseOnceWhenLinkIsValid() throws Exception {
        String entry = hold("a", "spam", "bob@portcullis.test");
        service.request(new MailAddress("bob@portcullis.test"), "user bob", 14, 5, Optional.empty());
        String token = releaseToken(sent.get(0).message());

        ReportService.LinkView view = service.inspect(token);
        service.inspect(token);
        assertThat(view.entry().entryId()).isEqualTo(entry);
        assertThat(quarantine.entry(entry).orElseThrow().state()).isEqualTo(EntryState.HELD);
        assertThat(context.getSentMails()).isEmpty();

        assertThat(service.act(token)).contains("released");
        assertThat(quarantine.entry(entry).orElseThrow().state()).isNotEqualTo(EntryState.HELD);
        assertThat(context.getSentMails()).hasSize(1);

        assertThatThrownBy(() -> service.act(token)).isInstanceOfSatisfying(ReportService.LinkException.class,
            e -> assertThat(e.status()).isEqualTo(410));
        assertThat(context.getSentMails()).hasSize(1);
    }

    @Test
    void actShouldFailAndChangeNothingWhenTokenTamperedOrExpired() throws Exception {
        String entry = hold("a", "spam", "bob@portcullis.test");
        service.request(new MailAddress("bob@portcullis.test"), "user bob", 14, 5, Optional.empty());
        String token = releaseToken(sent.get(0).message());
        String tampered = token.substring(0, 5) + (token.charAt(5) == 'A' ? 'B' : 'A') + token.substring(6);

        assertThatThrownBy(() -> service.act(tampered)).isInstanceOfSatisfying(ReportService.LinkException.class,
            e -> assertThat(e.status()).isEqualTo(400));
        clock.advance(Duration.ofDays(31));
        assertThatThrownBy(() -> service.act(token)).isInstanceOfSatisfying(ReportService.LinkException.class,
            e -> assertThat(e.status()).isEqualTo(410));
        assertThat(quarantine.entry(entry).orElseThrow().state()).isEqualTo(EntryState.HELD);
        assertThat(context.getSentMails()).isEmpty();
    }

    @Test
    void actShouldNotifyAdministratorWhenRequestReleaseFromThreat() throws Exception {
        String entry = hold("c", "threat", "bob@portcullis.test");
        service.request(new MailAddress("bob@portcullis.test"), "user bob", 14, 5, Optional.empty());
        Matcher matcher = Pattern.compile("Request release: \\S+token=([A-Za-z0-9_\\-.]+)").matcher(text(sent.get(0).message()));
        assertThat(matcher.find()).isTrue();
        assertThat(text(sent.get(0).message())).doesNotContain("  Release:");

        service.act(matcher.group(1));

        assertThat(quarantine.entry(entry).orElseThrow().state()).isEqualTo(EntryState.HELD);
        assertThat(sent).hasSize(2);
        assertThat(sent.get(1).to().asString()).isEqualTo("postmaster@portcullis.test");
        assertThat(sent.get(1).message().getSubject()).contains(entry);
    }

    @Test
    void actShouldRecordAllowedSenderWhenAlwaysAllow() throws Exception {
        hold("a", "spam", "bob@portcullis.test");
        service.request(new MailAddress("bob@portcullis.test"), "user bob", 14, 5, Optional.empty());
        Matcher matcher = Pattern.compile("Always allow sender: \\S+token=([A-Za-z0-9_\\-.]+)").matcher(text(sent.get(0).message()));
        assertThat(matcher.find()).isTrue();

        service.act(matcher.group(1));

        assertThat(store.isAllowed("bob@portcullis.test", "spammer@remote.example")).isTrue();
        assertThat(store.isAllowed("alice@portcullis.test", "spammer@remote.example")).isFalse();
    }

    @Test
    void runShouldReportOnlyNewItemsToRecipientsWithSomethingNew() throws Exception {
        hold("a", "spam", "bob@portcullis.test");
        hold("b", "spam", "alice@portcullis.test");

        ReportService.RunSummary first = service.run(Optional.empty());
        assertThat(first.reportsSent()).isEqualTo(2);
        sent.clear();
        clock.advance(Duration.ofHours(1));
        hold("c", "spam", "bob@portcullis.test");

        ReportService.RunSummary second = service.run(Optional.empty());

        assertThat(second.reportsSent()).isEqualTo(1);
        assertThat(second.items()).isEqualTo(1);
        assertThat(sent).singleElement().satisfies(s -> {
            assertThat(s.to().asString()).isEqualTo("bob@portcullis.test");
            assertThat(text(s.message())).contains("Subject c").doesNotContain("Subject a");
        });
    }

    @Test
    void mailetShouldReportOnAuthenticatedIdentityAndGhostWhenFromIsSomeoneElse() throws Exception {
        hold("a", "spam", "bob@portcullis.test");
        hold("b", "spam", "alice@portcullis.test");
        SendQuarantineReport mailet = new SendQuarantineReport(service, Optional.empty(), OURS);
        mailet.init(FakeMailetConfig.builder().mailetName("SendQuarantineReport").mailetContext(context).build());
        FakeMail request = FakeMail.builder().name("req").sender("bob@portcullis.test").recipient("manual-report-request@portcullis.test")
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().addFrom("alice@portcullis.test").setSubject("report").setText("x"))
            .attribute(new Attribute(Mail.SMTP_AUTH_USER, AttributeValue.of("bob@portcullis.test")))
            .build();

        mailet.service(request);

        assertThat(request.getState()).isEqualTo(Mail.GHOST);
        assertThat(sent).singleElement().satisfies(s -> {
            assertThat(s.to().asString()).isEqualTo("bob@portcullis.test");
            assertThat(text(s.message())).contains("Subject a").doesNotContain("Subject b");
        });
    }

    @Test
    void mailetShouldReportOnFromAddressWhenFromRelayNetwork() throws Exception {
        hold("b", "spam", "alice@portcullis.test");
        SendQuarantineReport mailet = new SendQuarantineReport(service, Optional.empty(), OURS);
        mailet.init(FakeMailetConfig.builder().mailetName("SendQuarantineReport").mailetContext(context).build());
        FakeMail request = FakeMail.builder().name("req").sender("whatever@portcullis.test").recipient("manual-report-request@portcullis.test")
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().addFrom("Alice <Alice@portcullis.test>").setSubject("report").setText("x"))
            .build();

        mailet.service(request);

        assertThat(request.getState()).isEqualTo(Mail.GHOST);
        assertThat(sent).singleElement().satisfies(s -> {
            assertThat(s.to().asString()).isEqualTo("alice@portcullis.test");
            assertThat(text(s.message())).contains("Subject b");
        });
    }

    @Test
    void initShouldFailNamingParameterWhenBadValue() {
        SendQuarantineReport mailet = new SendQuarantineReport(service, Optional.empty(), OURS);

        assertThatThrownBy(() -> mailet.init(FakeMailetConfig.builder().mailetName("SendQuarantineReport").mailetContext(context)
            .setProperty("maxPerHour", "lots").build())).hasMessageContaining("maxPerHour").hasMessageContaining("lots");
    }

    @Test
    void configurationShouldFailNamingKeyWhenUnknownOrBad() {
        Properties unknown = new Properties();
        unknown.setProperty("report.colour", "blue");
        Properties bad = new Properties();
        bad.setProperty("report.schedule", "0 99 * * *");

        assertThatThrownBy(() -> ReportConfiguration.from(unknown)).hasMessageContaining("report.colour");
        assertThatThrownBy(() -> ReportConfiguration.from(bad)).hasMessageContaining("report.schedule").hasMessageContaining("0 99 * * *");
    }

    @Test
    void schedulerShouldRunOnceAtStartWhenARunWasMissed() throws Exception {
        hold("a", "spam", "bob@portcullis.test");
        store.setLastRun("scheduled", START.minus(Duration.ofDays(1)));
        org.apache.james.task.MemoryTaskManager tasks = new org.apache.james.task.MemoryTaskManager(new org.apache.james.task.Hostname("test"));
        io.portcullis.report.schedule.ReportScheduler scheduler = new io.portcullis.report.schedule.ReportScheduler(service, store, tasks,
            service.configuration(), clock);
        try {
            scheduler.start();

            assertThat(tasks.list()).singleElement().satisfies(task ->
                assertThat(task.getType()).isEqualTo(io.portcullis.report.schedule.ReportRunTask.TYPE));
            tasks.await(tasks.list().get(0).getTaskId(), Duration.ofSeconds(30));
            assertThat(sent).singleElement().satisfies(s -> assertThat(s.to().asString()).isEqualTo("bob@portcullis.test"));
            assertThat(store.lastRun("scheduled")).contains(clock.instant());
        } finally {
            scheduler.stop();
            tasks.stop();
        }
    }

    @Test
    void schedulerShouldNotRunAtStartWhenNoRunWasMissed() throws Exception {
        store.setLastRun("scheduled", clock.instant());
        org.apache.james.task.MemoryTaskManager tasks = new org.apache.james.task.MemoryTaskManager(new org.apache.james.task.Hostname("test"));
        io.portcullis.report.schedule.ReportScheduler scheduler = new io.portcullis.report.schedule.ReportScheduler(service, store, tasks,
            service.configuration(), clock);
        try {
            scheduler.start();

            assertThat(scheduler.isRunning()).isTrue();
            assertThat(tasks.list()).isEmpty();
            assertThat(scheduler.nextAfter(START)).contains(Instant.parse("2026-11-23T13:00:00Z"));
        } finally {
            scheduler.stop();
            tasks.stop();
        }
    }

    SendQuarantineReport mailet() throws Exception {
        SendQuarantineReport mailet = new SendQuarantineReport(service, Optional.empty(), OURS);
        mailet.init(FakeMailetConfig.builder().mailetName("SendQuarantineReport").mailetContext(context).build());
        return mailet;
    }

    static FakeMail relayRequest(String envelope, String from) throws Exception {
        FakeMail.Builder builder = FakeMail.builder().name("req").recipient("manual-report-request@portcullis.test")
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().addFrom(from).setSubject("report").setText("x"))
            .attribute(new Attribute(PortcullisAttributes.TRACKING_ID, AttributeValue.of("t-req")));
        if (envelope == null) {
            builder.sender(MailAddress.nullSender());
        } else {
            builder.sender(envelope);
        }
        return builder.build();
    }

    @Test
    void mailetShouldSendNothingAndTrackARefusalWhenRelayNetworkFromIsExternal() throws Exception {
        hold("b", "spam", "victim@elsewhere.example");
        FakeMail request = relayRequest("alice@portcullis.test", "victim@elsewhere.example");

        mailet().service(request);

        assertThat(request.getState()).isEqualTo(Mail.GHOST);
        assertThat(sent).isEmpty();
        assertThat(events).anySatisfy(event -> {
            assertThat(event.type()).isEqualTo(EventType.REPORT_REQUESTED);
            assertThat(event.info()).containsEntry("Outcome", "REFUSED").containsEntry("Report for", "victim@elsewhere.example");
        });
    }

    @Test
    void mailetShouldSendNothingWhenRelayNetworkEnvelopeIsExternalOrNull() throws Exception {
        mailet().service(relayRequest("someone@elsewhere.example", "alice@portcullis.test"));
        mailet().service(relayRequest(null, "alice@portcullis.test"));

        assertThat(sent).isEmpty();
    }

    @Test
    void mailetShouldSendNothingWhenTheAuthenticatedIdentityIsNotOfOurDomains() throws Exception {
        FakeMail request = FakeMail.builder().name("req").sender("mallory@elsewhere.example").recipient("manual-report-request@portcullis.test")
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().addFrom("mallory@elsewhere.example").setSubject("report").setText("x"))
            .attribute(new Attribute(Mail.SMTP_AUTH_USER, AttributeValue.of("mallory@elsewhere.example")))
            .build();

        mailet().service(request);

        assertThat(sent).isEmpty();
    }

    @Test
    void requestShouldBeRefusedWhenTheGatewayWideCapIsReached() throws Exception {
        Properties properties = new Properties();
        properties.setProperty("report.request.maxPerHourTotal", "2");
        ReportService capped = new ReportService(quarantine, store, new ReportTokens("0123456789abcdef0123456789abcdef".getBytes(), clock),
            events::add, context, ReportConfiguration.from(properties), clock, (from, to, report) -> sent.add(new Sent(to, report)));

        assertThat(capped.request(new MailAddress("a@portcullis.test"), "user a", 14, 5, Optional.empty())).isEqualTo(ReportService.RequestOutcome.NOTHING_HELD_SENT);
        assertThat(capped.request(new MailAddress("b@portcullis.test"), "user b", 14, 5, Optional.empty())).isEqualTo(ReportService.RequestOutcome.NOTHING_HELD_SENT);
        assertThat(capped.request(new MailAddress("c@portcullis.test"), "user c", 14, 5, Optional.empty())).isEqualTo(ReportService.RequestOutcome.RATE_LIMITED);
        assertThat(sent).hasSize(2);

        clock.advance(Duration.ofMinutes(61));
        assertThat(capped.request(new MailAddress("c@portcullis.test"), "user c", 14, 5, Optional.empty())).isEqualTo(ReportService.RequestOutcome.NOTHING_HELD_SENT);
        assertThat(store.requestRows()).as("rows older than the hour purged").isEqualTo(1);
    }

    @Test
    void rateLimitShouldHoldForANewServiceOnTheSameStore() throws Exception {
        MailAddress bob = new MailAddress("bob@portcullis.test");
        for (int i = 0; i < 3; i++) {
            service.request(bob, "user bob", 14, 3, Optional.empty());
        }
        ReportService restarted = new ReportService(quarantine, new ReportStore(gatewayStore),
            new ReportTokens("0123456789abcdef0123456789abcdef".getBytes(), clock), events::add, context,
            ReportConfiguration.defaults(), clock, (from, to, report) -> sent.add(new Sent(to, report)));

        assertThat(restarted.request(bob, "user bob", 14, 3, Optional.empty())).isEqualTo(ReportService.RequestOutcome.RATE_LIMITED);
    }
}
