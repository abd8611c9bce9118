package io.portcullis.delivery;

import java.util.List;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;

import io.portcullis.config.MailetParameters;
import io.portcullis.config.Parameter;

/**
 * Records the end of a delivery in the Delivery log and as tracking events. In the processor RemoteDelivery's
 * {@code onSuccess} names ({@code outcome=delivered}: "Delivered to destination SMTP server") and in the one its
 * {@code bounceProcessor} names ({@code outcome=failed}: "Delivery failed to destination SMTP server",
 * "Finished delivery attempts", "Non-delivered", "Notify sender about unreachable recipients"). The host, address,
 * TLS and reply come from the attributes the delivery observation put on the mail. Never fails the mail: a
 * recording problem is logged and the mail goes on to the next mailet (the DSN, the Null).
 */
public class RecordDeliveryOutcome extends GenericMailet {
    public static final List<Parameter> PARAMETERS = List.of(
        Parameter.required("outcome", "`delivered` (in RemoteDelivery's onSuccess processor) or `failed` (in its bounceProcessor)"));

    private final DeliveryRecorder recorder;
    private boolean delivered;

    @Inject
    public RecordDeliveryOutcome(DeliveryRecorder recorder) {
        this.recorder = recorder;
    }

    @Override
    public void init() throws MessagingException {
        MailetParameters parameters = MailetParameters.parse(getMailetConfig(), PARAMETERS);
        delivered = parameters.oneOf("outcome", List.of("delivered", "failed")).equals("delivered");
    }

    @Override
    public void service(Mail mail) {
        if (delivered) {
            recorder.delivered(mail);
        } else {
            recorder.failed(mail);
        }
    }

    @Override
    public String getMailetInfo() {
        return "Portcullis RecordDeliveryOutcome";
    }
}
