package io.portcullis.report.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.core.Username;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.junit.jupiter.api.Test;

class AcceptReportRequestsTest {
    private static SMTPSession session(Username user, boolean relayNetwork) {
        SMTPSession session = mock(SMTPSession.class);
        when(session.getUsername()).thenReturn(user);
        when(session.isRelayingAllowed()).thenReturn(relayNetwork);
        return session;
    }

    @Test
    void doRcptShouldAcceptARequestOnAnyDomainFromAnAuthenticatedUser() throws Exception {
        HookResult result = new AcceptReportRequests().doRcpt(session(Username.of("bob@acme.test"), false),
            MaybeSender.getMailSender("bob@acme.test"), new MailAddress("manual-report-request@acme.test"));

        assertThat(result).isEqualTo(HookResult.OK);
    }

    @Test
    void doRcptShouldAcceptARequestFromARelayNetwork() throws Exception {
        HookResult result = new AcceptReportRequests().doRcpt(session(null, true),
            MaybeSender.getMailSender("bob@acme.test"), new MailAddress("MANUAL-REPORT-REQUEST@reports.acme.test"));

        assertThat(result).isEqualTo(HookResult.OK);
    }

    @Test
    void doRcptShouldLeaveOutsidersToTheUsualRules() throws Exception {
        HookResult result = new AcceptReportRequests().doRcpt(session(null, false),
            MaybeSender.getMailSender("mallory@evil.example"), new MailAddress("manual-report-request@acme.test"));

        assertThat(result).isEqualTo(HookResult.DECLINED);
    }

    @Test
    void doRcptShouldIgnoreOtherRecipients() throws Exception {
        HookResult result = new AcceptReportRequests().doRcpt(session(Username.of("bob@acme.test"), false),
            MaybeSender.getMailSender("bob@acme.test"), new MailAddress("nobody@acme.test"));

        assertThat(result).isEqualTo(HookResult.DECLINED);
    }

    @Test
    void initShouldRefuseAnAddressAsLocalPart() {
        BaseHierarchicalConfiguration configuration = new BaseHierarchicalConfiguration();
        configuration.addProperty("localPart", "report@acme.test");

        assertThatThrownBy(() -> new AcceptReportRequests().init(configuration))
            .hasMessageContaining("invalid localPart 'report@acme.test'");
    }
}
