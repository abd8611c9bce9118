package io.portcullis.mail;

import org.apache.mailet.AttributeName;

/**
 * The names of the mail attributes Portcullis components use to talk to each other. They are the contract
 * between matchers and mailets: a mailet that writes one and a matcher that reads it name it from here.
 */
public final class PortcullisAttributes {
    /** Total score of the message so far (Integer). */
    public static final AttributeName SCORE = AttributeName.of("portcullis.score");
    /** Reasons, one readable string per triggered rule (List of String), e.g. {@code "dnsbl: ... +40"}. */
    public static final AttributeName REASONS = AttributeName.of("portcullis.reasons");
    /** Names of the triggered rules (List of String), e.g. {@code "spam:rbllookup"}. */
    public static final AttributeName TRIGGERED_RULES = AttributeName.of("portcullis.rules");
    /** "inbound" or "outbound" (String). */
    public static final AttributeName DIRECTION = AttributeName.of("portcullis.direction");
    /** Tracking id of the message in the gateway store (String). */
    public static final AttributeName TRACKING_ID = AttributeName.of("portcullis.trackingId");
    /** Quarantine area the message was held in (String). */
    public static final AttributeName AREA = AttributeName.of("portcullis.area");
    /** Message security detected: pgp, smime, password, none (String). */
    public static final AttributeName MESSAGE_SECURITY = AttributeName.of("portcullis.messageSecurity");
    /** Why a message could not be scanned (String); set on stalled mail. */
    public static final AttributeName UNSCANNABLE_REASON = AttributeName.of("portcullis.unscannable");
    /** Milliseconds the scoring checks of the message have taken so far (Long), counted against the scoring budget. */
    public static final AttributeName SCORING_TIME = AttributeName.of("portcullis.scoringTime");
    /** Decision of allow / block lists: "allow" or "block" (String). */
    public static final AttributeName LIST_DECISION = AttributeName.of("portcullis.listDecision");

    /** Name of the threat found in the message, e.g. {@code "EICAR-Test-File"} (String); route it to the threat area. */
    public static final AttributeName THREAT = AttributeName.of("portcullis.threat");
    /** SPF result of the envelope sender: pass, fail, softfail, neutral, none, temperror, permerror (String). */
    public static final AttributeName SPF_RESULT = AttributeName.of("portcullis.spf.result");
    /** Domain SPF was evaluated for (String): the MAIL FROM domain, or the HELO name for a null sender. */
    public static final AttributeName SPF_DOMAIN = AttributeName.of("portcullis.spf.domain");
    /** DKIM result: pass, fail, none, temperror (String). */
    public static final AttributeName DKIM_RESULT = AttributeName.of("portcullis.dkim.result");
    /** Domains (d=) of the DKIM signatures that verified (List of String). */
    public static final AttributeName DKIM_DOMAINS = AttributeName.of("portcullis.dkim.domains");
    /** Domains (d=) of the DKIM signatures whose key could not be fetched (timeout, SERVFAIL) (List of String). */
    public static final AttributeName DKIM_TEMPERROR_DOMAINS = AttributeName.of("portcullis.dkim.temperrorDomains");
    /** DMARC result of the From domain: pass, fail, none, temperror (String). */
    public static final AttributeName DMARC_RESULT = AttributeName.of("portcullis.dmarc.result");
    /** True when the message arrived over TLS (Boolean); set by {@code io.portcullis.tracking.smtp.TransportSecurityHook}. */
    public static final AttributeName TLS = AttributeName.of("portcullis.tls");
    /** Quarantine: set (Boolean true) on a copy re-injected by "force"; stalling and Quarantine let it pass. */
    public static final AttributeName FORCED = AttributeName.of("portcullis.forced");
    /** Quarantine: the entry id a re-injected copy comes from (String); read by ReleaseGate. */
    public static final AttributeName RELEASED_ENTRY = AttributeName.of("portcullis.releasedEntry");
    /** Quarantine: the unique name of a re-injected copy (String); read by ReleaseGate to drop duplicates. */
    public static final AttributeName RELEASED_COPY = AttributeName.of("portcullis.releasedCopy");
    /** Stalled mail: recipients (List of String) whose encrypted mail bypasses stalling (allow lists). */
    public static final AttributeName UNSCANNABLE_BYPASS = AttributeName.of("portcullis.unscannableBypass");

    /** When the gateway started working on the message, epoch milliseconds (Long); set on entering delivery, used by the Pending log and the pending timeouts. */
    public static final AttributeName PENDING_SINCE = AttributeName.of("portcullis.pendingSince");
    /** Server name of the last delivery attempt (String), set when RemoteDelivery hands the mail to onSuccess / bounce. */
    public static final AttributeName DELIVERY_HOST = AttributeName.of("portcullis.delivery.host");
    /** IP address of the last delivery attempt (String). */
    public static final AttributeName DELIVERY_IP = AttributeName.of("portcullis.delivery.ip");
    /** TLS of the last delivery attempt: yes, no, unknown (String). */
    public static final AttributeName DELIVERY_TLS = AttributeName.of("portcullis.delivery.tls");
    /** Remote reply of the last delivery attempt, e.g. {@code 250 2.0.0 Ok: queued as 4F2} (String). */
    public static final AttributeName DELIVERY_REPLY = AttributeName.of("portcullis.delivery.reply");
    /** When the last delivery attempt started, epoch milliseconds (Long). */
    public static final AttributeName DELIVERY_ATTEMPTED_AT = AttributeName.of("portcullis.delivery.attemptedAt");
    /** Why an administrator or a pending timeout returned the message (String); no delivery attempt then. */
    public static final AttributeName DELIVERY_GIVEN_UP = AttributeName.of("portcullis.delivery.givenUp");

    private PortcullisAttributes() {
    }
}
