package io.portcullis.hostile;

import javax.mail.MessagingException;

import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;

/** Test configuration only: a mailet that always throws, to send a mail through the error processor. */
public class FailingMailet extends GenericMailet {
    @Override
    public void service(Mail mail) throws MessagingException {
        throw new MessagingException("test failure of " + mail.getName());
    }
}
