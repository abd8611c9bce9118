package io.portcullis.quarantine;

import java.util.List;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.portcullis.config.MailetParameters;
import io.portcullis.config.Parameter;
import io.portcullis.mail.PortcullisAttributes;

/**
 * Holds the message in a quarantine area: raw bytes and metadata (sender, recipients, subject, score, reasons,
 * rules, direction, message security, unscannable reason, arrival, expiry, tracking id) go to the gateway store
 * in ONE transaction, one entry per recipient; then the mail's processing ends ({@code GHOST}) and Held and
 * Expiry time set are tracked. If the store fails the mailet throws: James's error handling (the processor's
 * {@code onMailetException}, by default the {@code error} processor and its repository) keeps the mail, so it is
 * never lost. A copy re-injected by "force" ({@code portcullis.forced}) passes through untouched.
 */
public class Quarantine extends GenericMailet {
    private static final Logger LOGGER = LoggerFactory.getLogger(Quarantine.class);
    public static final List<String> NOTIFY = List.of("none", "each", "digest");
    public static final List<Parameter> PARAMETERS = List.of(
        Parameter.required("area", "the area to hold the message in: spam, threat, policy, stalled, or an area defined by "
            + "`quarantine.area.<name>.retention` in portcullis.properties"),
        Parameter.optional("notify", "each for area stalled, none otherwise",
            "tell the administrator (`quarantine.notify.to`, default the postmaster): none, each (one mail per held message) "
                + "or digest (one mail every `quarantine.notify.digest.interval`)"));

    private final QuarantineService service;
    private Area area;
    private String notify;

    @Inject
    public Quarantine(QuarantineService service) {
        this.service = service;
    }

    @Override
    public void init() throws MessagingException {
        MailetParameters parameters = MailetParameters.parse(getMailetConfig(), PARAMETERS);
        String name = parameters.string("area");
        area = service.configuration().area(name)
            .orElseThrow(() -> parameters.invalid("area", name, "one of the configured areas " + service.configuration().areas().keySet()
                + " (add others with quarantine.area.<name>.retention in portcullis.properties)"));
        if (parameters.isSet("notify")) {
            notify = parameters.oneOf("notify", NOTIFY);
        } else {
            notify = area.name().equals(Area.STALLED) ? "each" : "none";
        }
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        if (mail.getAttribute(PortcullisAttributes.FORCED).isPresent()) {
            return;
        }
        List<String> ids = service.hold(mail, area, notify.equals("digest"));
        mail.setAttribute(new org.apache.mailet.Attribute(PortcullisAttributes.AREA, org.apache.mailet.AttributeValue.of(area.name())));
        mail.setState(Mail.GHOST);
        if (notify.equals("each")) {
            try {
                service.notifyHeld(ids);
            } catch (MessagingException | RuntimeException e) {
                // The message is safely held; a failed notice must not send it to the error processor too.
                LOGGER.error("Held {} in {} but the administrator notice failed", mail.getName(), area.name(), e);
            }
        }
    }

    /** The processors release, retry and force re-inject into: James refuses to start when one is missing. */
    @Override
    public java.util.Collection<org.apache.mailet.ProcessingState> requiredProcessingState() {
        QuarantineConfiguration configuration = service.configuration();
        return java.util.stream.Stream.of(configuration.releaseProcessor(), configuration.retryProcessor(), configuration.forceProcessor())
            .distinct().map(org.apache.mailet.ProcessingState::new).collect(java.util.stream.Collectors.toList());
    }

    public Area area() {
        return area;
    }

    @Override
    public String getMailetInfo() {
        return "Portcullis Quarantine";
    }
}
