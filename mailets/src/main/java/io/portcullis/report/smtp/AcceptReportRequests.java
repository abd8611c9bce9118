package io.portcullis.report.smtp;

import java.util.Locale;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.RcptHook;

/**
 * SMTP hook that accepts {@code manual-report-request@<any domain>} at RCPT time from SMTP-authenticated
 * senders and relay networks, including on our own domains where no such user exists (James's
 * {@code ValidRcptHandler} would refuse it as unknown). From anybody else it does nothing, so the usual
 * rules apply (unknown user, relaying denied). The mail container then hands the request to
 * {@code ManualReportRequestMatcher}. Place it before {@code ValidRcptHandler} in {@code smtpserver.xml}:
 *
 * <pre>{@code
 * <handler class="io.portcullis.report.smtp.AcceptReportRequests">
 *     <localPart>manual-report-request</localPart>
 * </handler>
 * }</pre>
 */
public class AcceptReportRequests implements RcptHook {
    public static final String DEFAULT_LOCAL_PART = "manual-report-request";

    private String localPart = DEFAULT_LOCAL_PART;

    @Override
    public void init(Configuration config) throws ConfigurationException {
        String configured = config.getString("localPart", DEFAULT_LOCAL_PART).trim();
        if (configured.isEmpty() || configured.contains("@") || configured.contains(" ")) {
            throw new ConfigurationException("AcceptReportRequests: invalid localPart '" + configured
                + "': expected an email local part such as " + DEFAULT_LOCAL_PART);
        }
        localPart = configured.toLowerCase(Locale.ROOT);
    }

    @Override
    public HookResult doRcpt(SMTPSession session, MaybeSender sender, MailAddress rcpt) {
        boolean trusted = session.getUsername() != null || session.isRelayingAllowed();
        if (trusted && rcpt.getLocalPart().toLowerCase(Locale.ROOT).equals(localPart)) {
            return HookResult.OK;
        }
        return HookResult.DECLINED;
    }
}
