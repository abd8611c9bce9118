package io.portcullis.quarantine;

import static io.portcullis.quarantine.QuarantineFixture.mail;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Attribute;
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
import io.portcullis.store.GatewayStore;
import io.portcullis.tracking.EventType;
import io.portcullis.tracking.TrackedEvent;

class QuarantineServiceTest {
    @TempDir
    static Path dir;
    static GatewayStore gatewayStore;
    QuarantineFixture fixture;

    @BeforeAll
    static void openStore() {
        gatewayStore = QuarantineFixture.openStore(dir);
    }

    @AfterAll
    static void closeStore() {
        gatewayStore.close();
    }

    @BeforeEach
    void setUp() throws Exception {
        fixture = new QuarantineFixture(gatewayStore);
    }

    private String holdOne(String name, String area) throws Exception {
        FakeMail mail = mail(name, "bob@portcullis.test");
        fixture.mailet(area).service(mail);
        return fixture.service.list(ListCriteria.all().withRecipient("bob@portcullis.test")).entries().stream()
            .filter(e -> e.message().mailName().equals(name)).findFirst().orElseThrow().entryId();
    }

    private static FakeMail asMail(FakeMailContext.SentMail sent) throws MessagingException {
        return FakeMail.builder().name("copy").recipients(List.copyOf(sent.getRecipients())).mimeMessage(sent.getMsg())
            .attributes(List.copyOf(sent.getAttributes().values())).state(sent.getState()).build();
    }

    @Test
    void serviceShouldHoldTheMessageAndEndItsProcessingWhenQuarantined() throws Exception {
        FakeMail mail = mail("m1", "bob@portcullis.test");

        fixture.mailet("spam").service(mail);

        assertThat(mail.getState()).isEqualTo(Mail.GHOST);
        EntryPage page = fixture.service.list(ListCriteria.all());
        assertThat(page.total()).isEqualTo(1);
        QuarantineEntry entry = page.entries().get(0);
        assertThat(entry.recipient()).isEqualTo("bob@portcullis.test");
        assertThat(entry.message().area()).isEqualTo("spam");
        assertThat(entry.message().sender()).isEqualTo("spammer@remote.example");
        assertThat(entry.message().subject()).contains("Cheap pills m1");
        assertThat(entry.message().score()).contains(85);
        assertThat(entry.message().reasons()).containsExactly("dnsbl: listed +40", "content: pills +45");
        assertThat(entry.message().direction()).contains("inbound");
        assertThat(entry.message().trackingId()).isEqualTo("t-m1");
        assertThat(entry.expiry()).contains(QuarantineFixture.START.plus(Duration.ofDays(14)));
        assertThat(new String(fixture.store.raw(entry.entryId()).orElseThrow(), StandardCharsets.UTF_8)).contains("buy now");
        assertThat(fixture.tracker.types("t-m1")).containsExactly(EventType.HELD, EventType.EXPIRY_SET);
        assertThat(fixture.tracker.of(EventType.HELD).get(0).info()).containsEntry("Held area", "spam");
        assertThat(fixture.tracker.of(EventType.EXPIRY_SET).get(0).info()).containsEntry("Set expiry days", "14");
    }

    @Test
    void serviceShouldHoldAMailProcessedAgainAfterACrashOnlyOnce() throws Exception {
        // the spool processes a mail again when the server died after holding it, before acknowledging it
        fixture.mailet("spam").service(mail("m1", "a@portcullis.test", "b@portcullis.test"));
        List<String> first = fixture.service.list(ListCriteria.all()).entries().stream().map(QuarantineEntry::entryId).sorted().toList();
        FakeMail again = mail("m1", "a@portcullis.test", "b@portcullis.test");

        fixture.mailet("spam").service(again);

        assertThat(again.getState()).isEqualTo(Mail.GHOST);
        assertThat(fixture.service.list(ListCriteria.all()).entries()).extracting(QuarantineEntry::entryId).containsExactlyInAnyOrderElementsOf(first);
        // the second pass puts the message back to held (its spool pass recorded it as processing again)
        assertThat(fixture.tracker.types("t-m1")).containsExactly(EventType.HELD, EventType.EXPIRY_SET, EventType.HELD);
        assertThat(fixture.tracker.of(EventType.HELD).get(1).info()).containsEntry("Note", "Already held before a restart; not held twice");
    }

    @Test
    void serviceShouldHoldAReleasedCopyHeldAgainAsANewMessage() throws Exception {
        fixture.mailet("spam").service(mail("m1", "bob@portcullis.test"));
        // same tracking id, another James mail (the copy a retry re-injects): held again
        FakeMail copy = mail("m1-copy", "bob@portcullis.test");
        copy.setAttribute(new Attribute(PortcullisAttributes.TRACKING_ID, org.apache.mailet.AttributeValue.of("t-m1")));
        fixture.mailet("spam").service(copy);

        assertThat(fixture.service.list(ListCriteria.all()).total()).isEqualTo(2);
    }

    @Test
    void serviceShouldListAMessageOncePerRecipientWhenSentToThree() throws Exception {
        fixture.mailet("threat").service(mail("m1", "a@portcullis.test", "b@portcullis.test", "c@other.test"));

        assertThat(fixture.service.list(ListCriteria.all()).entries()).extracting(QuarantineEntry::recipient)
            .containsExactlyInAnyOrder("a@portcullis.test", "b@portcullis.test", "c@other.test");
        assertThat(fixture.service.list(ListCriteria.all().withRecipient("@portcullis.test")).total()).isEqualTo(2);
        assertThat(fixture.service.list(ListCriteria.all().withRecipient("B@Portcullis.test")).total()).isEqualTo(1);
        assertThat(fixture.service.list(ListCriteria.all().withArea("spam")).total()).isZero();
        assertThat(fixture.service.list(ListCriteria.all().withArea("threat")).entries().get(0).expiry())
            .contains(QuarantineFixture.START.plus(Duration.ofDays(30)));
    }

    @Test
    void releaseShouldReinjectOnceIntoDeliverWithTheEventTrail() throws Exception {
        String id = holdOne("m1", "spam");

        ActionResult result = fixture.service.release(id, "admin");

        assertThat(result.outcome()).isEqualTo(ActionResult.Outcome.DONE);
        assertThat(fixture.context.getSentMails()).hasSize(1);
        FakeMailContext.SentMail sent = fixture.context.getSentMails().get(0);
        assertThat(sent.getState()).isEqualTo("deliver");
        assertThat(sent.getRecipients()).containsExactly(new MailAddress("bob@portcullis.test"));
        assertThat(sent.getSender()).isEqualTo(new MailAddress("spammer@remote.example"));
        assertThat(sent.getSubject()).contains("Cheap pills m1");
        assertThat(sent.getAttributes().get(PortcullisAttributes.TRACKING_ID).getValue().value()).isEqualTo("t-m1");
        assertThat(fixture.tracker.types("t-m1")).containsExactly(EventType.HELD, EventType.EXPIRY_SET, EventType.RELEASED);
        TrackedEvent released = fixture.tracker.of(EventType.RELEASED).get(0);
        assertThat(released.info()).containsEntry("Actioned by", "admin").containsEntry("New MessageID", result.newMailName().orElseThrow());
        assertThat(fixture.service.entry(id).orElseThrow().state()).isEqualTo(EntryState.RELEASED);
        assertThat(fixture.store.raw(id)).isEmpty();
    }

    @Test
    void releaseShouldDeliverOnceWhenCalledTwice() throws Exception {
        String id = holdOne("m1", "spam");

        fixture.service.release(id, "admin");
        ActionResult second = fixture.service.release(id, "admin");

        assertThat(second.outcome()).isEqualTo(ActionResult.Outcome.ALREADY_DONE);
        assertThat(fixture.context.getSentMails()).hasSize(1);
        assertThat(fixture.tracker.of(EventType.RELEASED)).hasSize(1);
    }

    @Test
    void releaseShouldOnlyReleaseTheChosenRecipient() throws Exception {
        fixture.mailet("spam").service(mail("m1", "a@portcullis.test", "b@portcullis.test"));
        String forA = fixture.service.list(ListCriteria.all().withRecipient("a@portcullis.test")).entries().get(0).entryId();

        fixture.service.release(forA, "admin");

        assertThat(fixture.context.getSentMails()).hasSize(1);
        assertThat(fixture.context.getSentMails().get(0).getRecipients()).containsExactly(new MailAddress("a@portcullis.test"));
        assertThat(fixture.service.list(ListCriteria.all()).entries()).extracting(QuarantineEntry::recipient).containsExactly("b@portcullis.test");
        String forB = fixture.service.list(ListCriteria.all()).entries().get(0).entryId();
        assertThat(fixture.store.raw(forB)).isPresent();
    }

    @Test
    void retryShouldReinjectIntoTheFilterProcessor() throws Exception {
        String id = holdOne("m1", "policy");

        fixture.service.retry(id, "admin");

        assertThat(fixture.context.getSentMails()).extracting(FakeMailContext.SentMail::getState).containsExactly("filter");
        assertThat(fixture.tracker.types("t-m1")).endsWith(EventType.REPROCESSED);
        assertThat(fixture.service.entry(id).orElseThrow().state()).isEqualTo(EntryState.RETRIED);
    }

    @Test
    void forceShouldDeliverWithTheForcedAttributeThatQuarantineHonours() throws Exception {
        String id = holdOne("m1", "policy");

        fixture.service.force(id, "admin");

        FakeMailContext.SentMail sent = fixture.context.getSentMails().get(0);
        assertThat(sent.getState()).isEqualTo("deliver");
        assertThat(sent.getAttributes()).containsKey(PortcullisAttributes.FORCED);
        FakeMail copy = asMail(sent);
        fixture.mailet("spam").service(copy);
        assertThat(copy.getState()).isNotEqualTo(Mail.GHOST);
        assertThat(fixture.service.list(ListCriteria.all()).total()).isZero();
    }

    @Test
    void deleteShouldRemoveTheEntryAndRecordIt() throws Exception {
        String id = holdOne("m1", "spam");

        ActionResult deleted = fixture.service.delete(id, "admin");
        ActionResult releaseAfter = fixture.service.release(id, "admin");

        assertThat(deleted.outcome()).isEqualTo(ActionResult.Outcome.DONE);
        assertThat(releaseAfter.outcome()).isEqualTo(ActionResult.Outcome.CONFLICT);
        assertThat(fixture.context.getSentMails()).isEmpty();
        assertThat(fixture.service.list(ListCriteria.all()).total()).isZero();
        assertThat(fixture.service.list(ListCriteria.all().withState(EntryState.DELETED)).total()).isEqualTo(1);
        assertThat(fixture.store.raw(id)).isEmpty();
        assertThat(fixture.tracker.of(EventType.DELETED).get(0).info()).containsEntry("Actioned by", "admin");
        assertThat(fixture.service.delete(id, "admin").outcome()).isEqualTo(ActionResult.Outcome.ALREADY_DONE);
    }

    @Test
    void actionsShouldReportNotFoundWhenUnknownId() {
        assertThat(fixture.service.release("nope", "admin").outcome()).isEqualTo(ActionResult.Outcome.NOT_FOUND);
        assertThat(fixture.service.delete("nope", "admin").outcome()).isEqualTo(ActionResult.Outcome.NOT_FOUND);
        assertThat(fixture.service.raw("nope", "admin")).isEmpty();
    }

    @Test
    void rawShouldRecordViewedRaw() throws Exception {
        String id = holdOne("m1", "spam");

        assertThat(fixture.service.raw(id, "admin")).isPresent();

        assertThat(fixture.tracker.of(EventType.VIEWED_RAW)).hasSize(1);
    }

    @Test
    void forwardShouldSendACopyAndKeepTheEntryHeld() throws Exception {
        String id = holdOne("m1", "spam");

        ActionResult result = fixture.service.forward(id, new MailAddress("analyst@portcullis.test"), "admin");

        assertThat(result.outcome()).isEqualTo(ActionResult.Outcome.DONE);
        assertThat(fixture.context.getSentMails()).hasSize(1);
        assertThat(fixture.context.getSentMails().get(0).getRecipients()).containsExactly(new MailAddress("analyst@portcullis.test"));
        assertThat(fixture.service.entry(id).orElseThrow().state()).isEqualTo(EntryState.HELD);
        assertThat(fixture.tracker.of(EventType.FORWARDED).get(0).info()).containsEntry("Forwarded to", "analyst@portcullis.test");
    }

    @Test
    void expireShouldDiscardExpiredEntriesAndKeepNeverExpiring() throws Exception {
        String spam = holdOne("m1", "spam");
        String kept = holdOne("m2", "spam");
        String threat = holdOne("m3", "threat");
        fixture.service.neverExpire(kept, "admin");

        fixture.clock.advance(Duration.ofDays(14).minusSeconds(1));
        assertThat(fixture.service.expire()).isZero();
        fixture.clock.advance(Duration.ofSeconds(1));
        assertThat(fixture.service.expire()).isEqualTo(1);

        assertThat(fixture.service.entry(spam).orElseThrow().state()).isEqualTo(EntryState.DISCARDED);
        assertThat(fixture.service.entry(kept).orElseThrow().state()).isEqualTo(EntryState.HELD);
        assertThat(fixture.service.entry(threat).orElseThrow().state()).isEqualTo(EntryState.HELD);
        assertThat(fixture.tracker.types("t-m1")).endsWith(EventType.DISCARDED);
        assertThat(fixture.tracker.types("t-m2")).containsExactly(EventType.HELD, EventType.EXPIRY_SET, EventType.EXPIRY_SET);

        fixture.clock.advance(Duration.ofDays(400));
        assertThat(fixture.service.expire()).isEqualTo(1);
        assertThat(fixture.service.entry(kept).orElseThrow().state()).isEqualTo(EntryState.HELD);
    }

    @Test
    void recoverShouldReinjectWhenACrashHappenedBeforeTheEnqueue() throws Exception {
        String id = holdOne("m1", "spam");
        // The crash: HELD -> DISPATCHING committed, then the node died before enqueueing.
        assertThat(fixture.store.beginDispatch(id, DispatchAction.RELEASE, "deliver", "admin", fixture.clock.instant())).isTrue();
        fixture.clock.advance(Duration.ofSeconds(5));

        assertThat(fixture.service.release(id, "admin").outcome()).isEqualTo(ActionResult.Outcome.ALREADY_DONE);
        assertThat(fixture.service.recover(fixture.clock.instant())).isEqualTo(1);
        assertThat(fixture.service.recover(fixture.clock.instant())).isZero();

        assertThat(fixture.context.getSentMails()).hasSize(1);
        assertThat(fixture.service.entry(id).orElseThrow().state()).isEqualTo(EntryState.RELEASED);
        assertThat(fixture.tracker.of(EventType.RELEASED).get(0).info()).containsEntry("Recovered", "true");
    }

    @Test
    void releaseGateShouldLetOnlyOneCopyThroughWhenACrashHappenedAfterTheEnqueue() throws Exception {
        String id = holdOne("m1", "spam");
        // The crash: the copy reached the queue but the node died before recording it.
        FakeMailContext crashing = FakeMailContext.defaultContext();
        QuarantineService dying = fixture.serviceWith(CrashAfterEnqueue.around(crashing));
        assertThatThrownBy(() -> dying.release(id, "admin")).isInstanceOf(CrashAfterEnqueue.Crash.class);
        assertThat(fixture.service.entry(id).orElseThrow().state()).isEqualTo(EntryState.DISPATCHING);
        fixture.clock.advance(Duration.ofSeconds(5));

        fixture.service.recover(fixture.clock.instant());

        FakeMail first = asMail(crashing.getSentMails().get(0));
        FakeMail second = asMail(fixture.context.getSentMails().get(0));
        FakeMail secondRedelivered = asMail(fixture.context.getSentMails().get(0));
        ReleaseGate gate = new ReleaseGate(fixture.service);
        gate.init(FakeMailetConfig.builder().mailetName("ReleaseGate").build());
        gate.service(first);
        gate.service(second);
        gate.service(secondRedelivered);

        assertThat(first.getState()).isEqualTo(Mail.GHOST);
        assertThat(second.getState()).isEqualTo("deliver");
        assertThat(second.getAttribute(PortcullisAttributes.RELEASED_ENTRY)).isEmpty();
        assertThat(secondRedelivered.getState()).isEqualTo("deliver");
        assertThat(fixture.service.entry(id).orElseThrow().state()).isEqualTo(EntryState.RELEASED);
    }

    @Test
    void releaseGateShouldLetTheFirstCopyThroughEvenBeforeTheServiceRecordsIt() throws Exception {
        String id = holdOne("m1", "spam");
        FakeMailContext crashing = FakeMailContext.defaultContext();
        QuarantineService dying = fixture.serviceWith(CrashAfterEnqueue.around(crashing));
        assertThatThrownBy(() -> dying.release(id, "admin")).isInstanceOf(CrashAfterEnqueue.Crash.class);
        FakeMail first = asMail(crashing.getSentMails().get(0));
        ReleaseGate gate = new ReleaseGate(fixture.service);
        gate.init(FakeMailetConfig.builder().mailetName("ReleaseGate").build());

        gate.service(first);
        fixture.clock.advance(Duration.ofSeconds(5));
        fixture.service.recover(fixture.clock.instant());

        assertThat(first.getState()).isEqualTo("deliver");
        assertThat(fixture.context.getSentMails()).isEmpty();
        assertThat(fixture.service.entry(id).orElseThrow().state()).isEqualTo(EntryState.RELEASED);
    }

    @Test
    void releaseGateShouldIgnoreMailNotFromTheQuarantine() throws Exception {
        FakeMail mail = mail("m1", "bob@portcullis.test");
        mail.setState("deliver");
        ReleaseGate gate = new ReleaseGate(fixture.service);
        gate.init(FakeMailetConfig.builder().mailetName("ReleaseGate").build());

        gate.service(mail);

        assertThat(mail.getState()).isEqualTo("deliver");
    }

    @Test
    void quarantineShouldThrowAndKeepTheMailWhenTheStoreFails() throws Exception {
        GatewayStore own = QuarantineFixture.openStore(dir.resolve("failing"));
        Quarantine mailet = new QuarantineFixture(own).mailet("spam");
        own.close();
        FakeMail mail = mail("m1", "bob@portcullis.test");
        mail.setState("filter");

        assertThatThrownBy(() -> mailet.service(mail)).isInstanceOf(MessagingException.class).hasMessageContaining("Quarantine store failed");
        assertThat(mail.getState()).isEqualTo("filter");
    }

    @Test
    void initShouldFailNamingTheAreaWhenUnknown() {
        assertThatThrownBy(() -> fixture.mailet("spma"))
            .isInstanceOf(MessagingException.class)
            .hasMessageContaining("parameter 'area' has invalid value 'spma'")
            .hasMessageContaining("spam");
    }

    @Test
    void initShouldFailWhenNotifyIsInvalid() {
        Quarantine mailet = new Quarantine(fixture.service);
        assertThatThrownBy(() -> mailet.init(FakeMailetConfig.builder().mailetName("Quarantine").setProperty("area", "spam")
            .setProperty("notify", "sometimes").build()))
            .hasMessageContaining("parameter 'notify' has invalid value 'sometimes'");
    }

    @Test
    void stalledAreaShouldNotifyTheAdministratorForEachMessageByDefault() throws Exception {
        fixture.mailet("stalled").service(mail("m1", "bob@portcullis.test"));

        assertThat(fixture.context.getSentMails()).hasSize(1);
        FakeMailContext.SentMail notice = fixture.context.getSentMails().get(0);
        assertThat(notice.getRecipients()).containsExactly(new MailAddress("postmaster@portcullis.test"));
        assertThat(notice.getSubject().orElseThrow()).contains("held in stalled");
    }

    @Test
    void digestShouldSendOneMailForAllPendingEntries() throws Exception {
        Quarantine mailet = new Quarantine(fixture.service);
        mailet.init(FakeMailetConfig.builder().mailetName("Quarantine").setProperty("area", "stalled").setProperty("notify", "digest").build());
        mailet.service(mail("m1", "a@portcullis.test", "b@portcullis.test"));
        mailet.service(mail("m2", "a@portcullis.test"));

        assertThat(fixture.context.getSentMails()).isEmpty();
        assertThat(fixture.service.sendDigest()).isEqualTo(3);
        assertThat(fixture.service.sendDigest()).isZero();

        assertThat(fixture.context.getSentMails()).hasSize(1);
        assertThat(fixture.context.getSentMails().get(0).getSubject().orElseThrow()).contains("3 messages held");
    }

    @Test
    void listShouldPageNewestFirstAndFilterBySenderAndPeriod() throws Exception {
        for (int i = 0; i < 5; i++) {
            fixture.mailet("spam").service(mail("m" + i, "bob@portcullis.test"));
            fixture.clock.advance(Duration.ofMinutes(1));
        }

        EntryPage first = fixture.service.list(ListCriteria.all().withPage(1, 2));
        EntryPage last = fixture.service.list(ListCriteria.all().withPage(3, 2));
        EntryPage period = fixture.service.list(new ListCriteria(Optional.empty(), Optional.empty(), Optional.of("@remote.example"),
            Optional.of(QuarantineFixture.START.plus(Duration.ofMinutes(1))), Optional.of(QuarantineFixture.START.plus(Duration.ofMinutes(3))),
            Optional.empty(), 1, 20));

        assertThat(first.total()).isEqualTo(5);
        assertThat(first.entries()).extracting(e -> e.message().mailName()).containsExactly("m4", "m3");
        assertThat(last.entries()).extracting(e -> e.message().mailName()).containsExactly("m0");
        assertThat(period.entries()).extracting(e -> e.message().mailName()).containsExactly("m2", "m1");
        assertThat(fixture.service.list(new ListCriteria(Optional.empty(), Optional.empty(), Optional.of("other@remote.example"),
            Optional.empty(), Optional.empty(), Optional.empty(), 1, 20)).total()).isZero();
    }

    @Test
    void bulkShouldApplyTheActionToEachIdAndReportEach() throws Exception {
        String one = holdOne("m1", "spam");
        String two = holdOne("m2", "spam");

        List<ActionResult> results = fixture.service.bulk("release", List.of(one, two, "nope"), Optional.empty(), "admin");

        assertThat(results).extracting(ActionResult::outcome)
            .containsExactly(ActionResult.Outcome.DONE, ActionResult.Outcome.DONE, ActionResult.Outcome.NOT_FOUND);
        assertThat(fixture.context.getSentMails()).hasSize(2);
    }

    @Test
    void schedulerRoundShouldExpireAndRecoverStuckDispatches() throws Exception {
        String expired = holdOne("m1", "spam");
        String stuck = holdOne("m2", "threat");
        fixture.store.beginDispatch(stuck, DispatchAction.RELEASE, "deliver", "admin", fixture.clock.instant());
        fixture.clock.advance(Duration.ofDays(15));

        new QuarantineScheduler(fixture.service, fixture.clock).runPeriodic();

        assertThat(fixture.service.entry(expired).orElseThrow().state()).isEqualTo(EntryState.DISCARDED);
        assertThat(fixture.service.entry(stuck).orElseThrow().state()).isEqualTo(EntryState.RELEASED);
        assertThat(fixture.context.getSentMails()).hasSize(1);
    }

    @Test
    void brokenMimeShouldBeHeldInStalledWithTheParseErrorAsReason() throws Exception {
        io.portcullis.stalled.DetectUnscannable detect = new io.portcullis.stalled.DetectUnscannable();
        detect.init(FakeMailetConfig.builder().mailetName("DetectUnscannable").build());
        FakeMail mail = FakeMail.builder().name("broken").sender("x@remote.example").recipient("bob@portcullis.test")
            .mimeMessage(io.portcullis.stalled.StalledSamples.brokenMime()).build();

        detect.service(mail);
        Quarantine stalled = new Quarantine(fixture.service);
        stalled.init(FakeMailetConfig.builder().mailetName("Quarantine").setProperty("area", "stalled").setProperty("notify", "none").build());
        stalled.service(mail);

        QuarantineEntry entry = fixture.service.list(ListCriteria.all().withArea("stalled")).entries().get(0);
        assertThat(entry.message().unscannableReason()).hasValueSatisfying(reason -> assertThat(reason).startsWith("MIME parse error"));
        assertThat(entry.message().messageSecurity()).contains("none");
        assertThat(new String(fixture.store.raw(entry.entryId()).orElseThrow(), StandardCharsets.US_ASCII)).contains("--wrong");
    }

    @Test
    void releaseByUserShouldReleaseOwnSpamAndRefuseThreatsAndOthersEntries() throws Exception {
        String spam = holdOne("m1", "spam");
        String threat = holdOne("m2", "threat");

        assertThat(fixture.service.releaseByUser(spam, new MailAddress("eve@portcullis.test")).outcome()).isEqualTo(ActionResult.Outcome.NOT_FOUND);
        assertThat(fixture.service.releaseByUser(threat, new MailAddress("bob@portcullis.test")).outcome()).isEqualTo(ActionResult.Outcome.CONFLICT);
        assertThat(fixture.service.releaseByUser(spam, new MailAddress("bob@portcullis.test")).outcome()).isEqualTo(ActionResult.Outcome.DONE);

        assertThat(fixture.context.getSentMails()).hasSize(1);
        assertThat(fixture.tracker.of(EventType.USER_RELEASE).get(0).info()).containsEntry("Actioned by", "bob@portcullis.test");
    }

    @Test
    void quarantineShouldRequireTheProcessorsItReinjectsInto() throws Exception {
        assertThat(fixture.mailet("spam").requiredProcessingState()).extracting(org.apache.mailet.ProcessingState::getValue)
            .containsExactly("deliver", "filter");
    }

    /** A mailet context that enqueues, then "crashes" before the caller can record anything. */
    static final class CrashAfterEnqueue {
        static class Crash extends RuntimeException {
            Crash() {
                super("simulated crash after enqueue");
            }
        }

        static org.apache.mailet.MailetContext around(FakeMailContext queue) {
            return (org.apache.mailet.MailetContext) java.lang.reflect.Proxy.newProxyInstance(CrashAfterEnqueue.class.getClassLoader(),
                new Class<?>[] {org.apache.mailet.MailetContext.class}, (proxy, method, args) -> {
                    Object result;
                    try {
                        result = method.invoke(queue, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (method.getName().equals("sendMail") && args.length >= 2 && args[0] instanceof Mail) {
                        throw new Crash();
                    }
                    return result;
                });
        }
    }
}
