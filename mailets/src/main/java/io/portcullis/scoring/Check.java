package io.portcullis.scoring;

import java.util.List;

import org.apache.mailet.Mail;

/**
 * One scoring check, built once from its {@code ScoreFilter} parameters. {@link #evaluate} returns what it
 * found: nothing when the message is clean, a {@link Finding#couldNotRun} when it could not decide (DNS
 * timeout, unreadable message). An exception it throws is turned into a "could not run" finding by
 * {@link ScoreFilter}; the mail is never dropped.
 */
@FunctionalInterface
public interface Check {
    List<Finding> evaluate(Mail mail) throws Exception;
}
