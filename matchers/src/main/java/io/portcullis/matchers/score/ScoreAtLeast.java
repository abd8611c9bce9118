package io.portcullis.matchers.score;

import java.util.Collection;
import java.util.List;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMatcher;

import com.google.common.collect.ImmutableList;

import io.portcullis.config.Parameter;
import io.portcullis.scoring.ScoreSheet;

/**
 * Matches every recipient when the message's total score ({@code portcullis.score}, written by the
 * {@code ScoreFilter}s) is at least the condition; otherwise none. A message no filter scored has score 0.
 */
public class ScoreAtLeast extends GenericMatcher {
    public static final List<Parameter> PARAMETERS = List.of(
        Parameter.required("condition", "the threshold, an integer (e.g. 100 for junk, 60 for suspect)"));

    private int threshold;

    @Override
    public void init() throws MessagingException {
        String condition = getCondition() == null ? "" : getCondition().trim();
        try {
            threshold = Integer.parseInt(condition);
        } catch (NumberFormatException e) {
            throw new MessagingException("ScoreAtLeast: invalid condition '" + condition + "': expected an integer such as 60 or 100");
        }
    }

    public int threshold() {
        return threshold;
    }

    @Override
    public Collection<MailAddress> match(Mail mail) {
        if (ScoreSheet.score(mail) >= threshold) {
            return ImmutableList.copyOf(mail.getRecipients());
        }
        return ImmutableList.of();
    }
}
