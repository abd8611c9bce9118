package io.portcullis.scoring;

import java.util.List;

import javax.mail.MessagingException;

import io.portcullis.config.MailetParameters;
import io.portcullis.config.Parameter;

/**
 * A check {@link ScoreFilter} can run: its name (the value of {@code check=}), a one-line summary for the
 * documentation, its own parameters (validated strictly at start-up) and how to build it from them.
 */
public record CheckDefinition(String name, String summary, List<Parameter> parameters, Factory factory) {
    @FunctionalInterface
    public interface Factory {
        Check create(MailetParameters parameters, CheckEnvironment environment) throws MessagingException;
    }

    public CheckDefinition {
        parameters = List.copyOf(parameters);
    }
}
