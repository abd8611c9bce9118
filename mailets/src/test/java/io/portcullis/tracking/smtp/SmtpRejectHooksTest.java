package io.portcullis.tracking.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.core.Username;
import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.smtp.SMTPConfiguration;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.core.AbstractAuthRequiredToRelayRcptHook;
import org.apache.james.protocols.smtp.core.RcptCmdHandler;
import org.apache.james.protocols.smtp.core.esmtp.MailSizeEsmtpExtension;
import org.apache.james.protocols.smtp.core.fastfail.AbstractValidRcptHandler;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.protocols.smtp.hook.MailHook;
import org.apache.mailet.base.test.FakeMail;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import io.portcullis.mail.PortcullisAttributes;
import io.portcullis.tracking.EventType;
import io.portcullis.tracking.MessageStatus;
import io.portcullis.tracking.TrackingInfo;
import io.portcullis.tracking.store.GroupCommitTracker;
import io.portcullis.tracking.store.MessageDetail;
import io.portcullis.tracking.store.SearchCriteria;
import io.portcullis.tracking.store.TrackedMessage;
import io.portcullis.tracking.store.TrackingDao;
import io.portcullis.tracking.store.TrackingStoreFixture;

/** The SMTP hooks against a fake session (unit) writing to a real Derby tracking store. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SmtpRejectHooksTest {
    private TrackingStoreFixture fixture;
    private TrackingDao dao;
    private GroupCommitTracker tracker;

    @BeforeAll
    void open() throws Exception {
        fixture = new TrackingStoreFixture();
        dao = new TrackingDao(fixture.store().dataSource(), "node-a");
        tracker = new GroupCommitTracker(dao, 100, Duration.ofSeconds(10));
    }

    @AfterAll
    void close() {
        tracker.close();
        fixture.close();
    }

    @BeforeEach
    void clear() throws Exception {
        fixture.clear();
    }

    private static SMTPSession session(String sender, String currentRecipient, List<String> acceptedRecipients) throws Exception {
        SMTPSession session = mock(SMTPSession.class);
        when(session.getRemoteAddress()).thenReturn(new InetSocketAddress(InetAddress.getByName("203.0.113.7"), 40000));
        when(session.getAttachment(SMTPSession.SENDER, State.Transaction)).thenReturn(Optional.of(MaybeSender.getMailSender(sender)));
        when(session.getAttachment(SMTPSession.CURRENT_HELO_NAME, State.Connection)).thenReturn(Optional.of("mx.sender.example"));
        if (currentRecipient != null) {
            when(session.getAttachment(RcptCmdHandler.CURRENT_RECIPIENT, State.Transaction)).thenReturn(Optional.of(new MailAddress(currentRecipient)));
        }
        List<MailAddress> accepted = new java.util.ArrayList<>();
        for (String r : acceptedRecipients) {
            accepted.add(new MailAddress(r));
        }
        when(session.getAttachment(SMTPSession.RCPT_LIST, State.Transaction)).thenReturn(Optional.of(accepted));
        return session;
    }

    private TrackedMessage only(SearchCriteria criteria) throws Exception {
        List<TrackedMessage> messages = dao.search(criteria, 1, 20).messages();
        assertThat(messages).hasSize(1);
        return messages.get(0);
    }

    private static final AbstractAuthRequiredToRelayRcptHook RELAY_HOOK = new AbstractAuthRequiredToRelayRcptHook() {
        @Override
        protected boolean isLocalDomain(Domain domain) {
            return domain.asString().equals("acme.test");
        }
    };

    @Test
    void relayingDeniedShouldBecomeARejectedMessage() throws Exception {
        SMTPSession session = session("mallory@evil.example", "victim@elsewhere.example", List.of());
        MailAddress rcpt = new MailAddress("victim@elsewhere.example");
        HookResult denied = RELAY_HOOK.doRcpt(session, MaybeSender.getMailSender("mallory@evil.example"), rcpt);
        assertThat(denied.getResult().getAction()).isEqualTo(HookReturnCode.Action.DENY);

        HookResult returned = new TrackSmtpRejects(tracker).onHookResult(session, denied, 1, RELAY_HOOK);

        assertThat(returned).isSameAs(denied);
        TrackedMessage m = only(SearchCriteria.builder().rejectReason(io.portcullis.tracking.RejectReason.RELAYING_DENIED).build());
        assertThat(m.status()).isEqualTo(MessageStatus.REJECTED);
        assertThat(m.sender()).isEqualTo("mallory@evil.example");
        assertThat(m.recipients()).containsExactly("victim@elsewhere.example");
        assertThat(m.sendingHost()).contains("203.0.113.7");
        assertThat(m.helo()).contains("mx.sender.example");
        MessageDetail detail = dao.find(m.trackingId()).orElseThrow();
        assertThat(detail.events()).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(EventType.REJECTED);
            assertThat(e.info()).containsEntry(TrackingInfo.REJECT_REASON, "spam:relayingdenied")
                .hasEntrySatisfying(TrackingInfo.SMTP_RESPONSE, reply -> assertThat(reply).startsWith("550"));
        });
    }

    @Test
    void unknownRecipientShouldBeRecipientVerification() throws Exception {
        AbstractValidRcptHandler validRcpt = new AbstractValidRcptHandler() {
            @Override
            protected boolean isValidRecipient(SMTPSession session, MailAddress recipient) {
                return false;
            }

            @Override
            protected boolean isLocalDomain(SMTPSession session, Domain domain) {
                return true;
            }
        };
        SMTPSession session = session("alice@example.com", "nobody@acme.test", List.of());
        HookResult denied = validRcpt.doRcpt(session, MaybeSender.getMailSender("alice@example.com"), new MailAddress("nobody@acme.test"));

        new TrackSmtpRejects(tracker).onHookResult(session, denied, 1, validRcpt);

        TrackedMessage m = only(SearchCriteria.builder().recipient("nobody@acme.test").build());
        assertThat(m.rejectReason()).contains("spam:recipientverification");
        assertThat(m.action()).isEqualTo("rejected");
    }

    @Test
    void oversizedDataShouldBeRecordedWithTheTransactionsRecipients() throws Exception {
        SMTPSession session = session("alice@example.com", null, List.of("bob@acme.test", "carol@acme.test"));
        HookResult tooBig = HookResult.builder().hookReturnCode(HookReturnCode.deny()).smtpReturnCode("552")
            .smtpDescription("5.3.4 Message size exceeds fixed maximum message size").build();

        new TrackSmtpRejects(tracker).onHookResult(session, tooBig, 1, new MailSizeEsmtpExtension());

        TrackedMessage m = only(SearchCriteria.builder().rejectReason(io.portcullis.tracking.RejectReason.OVERSIZED).build());
        assertThat(m.recipients()).containsExactly("bob@acme.test", "carol@acme.test");
    }

    @Test
    void oversizedSizeParameterShouldBeRefusedAndRecorded() throws Exception {
        SMTPSession session = session("alice@example.com", null, List.of());
        SMTPConfiguration configuration = mock(SMTPConfiguration.class);
        when(configuration.getMaxMessageSize()).thenReturn(1000L);
        when(session.getConfiguration()).thenReturn(configuration);

        HookResult result = new TrackOversizedMailParameter(tracker).doMailParameter(session, "SIZE", "5000");

        assertThat(result.getSmtpRetCode()).isEqualTo("552");
        assertThat(only(SearchCriteria.all()).rejectReason()).contains("smtp:oversized");
    }

    @Test
    void acceptableSizeParameterShouldPassAndRecordNothing() throws Exception {
        SMTPSession session = session("alice@example.com", null, List.of());
        SMTPConfiguration configuration = mock(SMTPConfiguration.class);
        when(configuration.getMaxMessageSize()).thenReturn(10000L);
        when(session.getConfiguration()).thenReturn(configuration);

        HookResult result = new TrackOversizedMailParameter(tracker).doMailParameter(session, "SIZE", "5000");

        assertThat(result).isNull();
        assertThat(dao.search(SearchCriteria.all(), 1, 20).total()).isZero();
    }

    @Test
    void authFailureShouldBeRecordedAndDeclined() throws Exception {
        SMTPSession session = session("alice@example.com", null, List.of());

        HookResult result = new TrackAuthFailures(tracker).doAuth(session, Username.of("alice"), "wrong");

        assertThat(result.getResult().getAction()).isEqualTo(HookReturnCode.Action.DECLINED);
        assertThat(only(SearchCriteria.all()).rejectReason()).contains("SMTP Auth:error");
    }

    @Test
    void otherRefusalsShouldBeOtherRejectReason() throws Exception {
        MailHook custom = new MailHook() {
        };
        SMTPSession session = session("alice@example.com", null, List.of());

        new TrackSmtpRejects(tracker).onHookResult(session, HookResult.DENY, 1, custom);

        assertThat(only(SearchCriteria.all()).rejectReason()).contains("spam:otherrejectreason");
    }

    @Test
    void acceptedCommandsShouldRecordNothing() throws Exception {
        SMTPSession session = session("alice@example.com", "bob@acme.test", List.of());

        new TrackSmtpRejects(tracker).onHookResult(session, HookResult.DECLINED, 1, RELAY_HOOK);
        new TrackSmtpRejects(tracker).onHookResult(session, HookResult.OK, 1, RELAY_HOOK);

        assertThat(dao.search(SearchCriteria.all(), 1, 20).total()).isZero();
    }

    @Test
    void aStoreFailureShouldNotChangeTheSmtpAnswer() throws Exception {
        GroupCommitTracker closed = new GroupCommitTracker(dao, 1, Duration.ofSeconds(1));
        closed.close();
        SMTPSession session = session("mallory@evil.example", "victim@elsewhere.example", List.of());

        HookResult returned = new TrackSmtpRejects(closed).onHookResult(session, HookResult.DENY, 1, RELAY_HOOK);

        assertThat(returned).isEqualTo(HookResult.DENY);
    }

    @Test
    void transportSecurityHookShouldMarkTlsMail() throws Exception {
        SMTPSession session = mock(SMTPSession.class);
        when(session.isTLSStarted()).thenReturn(true);
        FakeMail mail = FakeMail.builder().name("m").build();

        new TransportSecurityHook().onMessage(session, mail);

        assertThat(mail.getAttribute(PortcullisAttributes.TLS).orElseThrow().getValue().value()).isEqualTo(true);
    }
}
