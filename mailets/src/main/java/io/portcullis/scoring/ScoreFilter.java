package io.portcullis.scoring;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.filesystem.api.FileSystem;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.portcullis.checks.CheckRegistry;
import io.portcullis.config.MailetParameters;
import io.portcullis.config.Parameter;
import io.portcullis.dns.DnsLookupService;
import io.portcullis.lists.ListDecision;
import io.portcullis.mail.PortcullisAttributes;

/**
 * Runs one scoring check on the message and records what it found: adds its points to
 * {@code portcullis.score}, appends a readable reason to {@code portcullis.reasons} (e.g. "sender's server
 * 192.0.2.7 is listed on bl.example (127.0.0.2): +40") and the rule's system name to {@code portcullis.rules}.
 * Configure one {@code ScoreFilter} per check ({@code check=dnsbl}, {@code check=spf}, ...); each check takes
 * only its own parameters and a parameter of another check is a start-up error. A check that cannot run adds a
 * "could not run" reason (rule {@code check:tempfail}, +0); the mail always goes on.
 *
 * <p>The checks of one message share a time budget ({@code scoring.budget} in {@code conf/portcullis.properties},
 * default 20 s, DNS waits included; {@link ScoringBudget}). Each check runs on a bounded pool ({@link CheckRunner})
 * for at most what is left of it: one that takes longer is stopped and the mail goes on with "check X took too long
 * and was stopped (scoring budget 20s used up): +0"; the checks after it add "check Y was not run: ...". The time
 * spent so far is kept on the mail ({@code portcullis.scoringTime}), so a restart does not start the budget afresh.
 *
 * <p>Mail a block list decided (see {@code ApplySenderLists}) is not scored again, except by
 * {@code check=attachments}: threats are looked for in every message. Mail an authenticated allow entry
 * decided skips only the reputation checks ({@link ListDecision#SKIPPED_WHEN_ALLOWED}).
 */
public class ScoreFilter extends GenericMailet {
    private static final Logger LOGGER = LoggerFactory.getLogger(ScoreFilter.class);

    public static final Parameter CHECK = Parameter.required("check",
        "the check to run: " + String.join(", ", CheckRegistry.names()) + " (each described below with its own parameters)");
    public static final List<Parameter> PARAMETERS = unionOfCheckParameters();

    /** The runner of filters built without one (tests): the default budget. */
    private static final CheckRunner DEFAULT_RUNNER = new CheckRunner(ScoringBudget.defaults());

    private final DnsLookupService dns;
    private final FileSystem fileSystem;
    private final CheckRunner runner;
    private CheckDefinition definition;
    private Check check;

    @Inject
    public ScoreFilter(DnsLookupService dns, FileSystem fileSystem, CheckRunner runner) {
        this.dns = dns;
        this.fileSystem = fileSystem;
        this.runner = runner;
    }

    /** With the default scoring budget ({@link ScoringBudget#defaults()}). */
    public ScoreFilter(DnsLookupService dns, FileSystem fileSystem) {
        this(dns, fileSystem, DEFAULT_RUNNER);
    }

    private static List<Parameter> unionOfCheckParameters() {
        Map<String, List<CheckDefinition>> owners = new LinkedHashMap<>();
        Map<String, Parameter> first = new LinkedHashMap<>();
        for (CheckDefinition definition : CheckRegistry.ALL) {
            for (Parameter parameter : definition.parameters()) {
                owners.computeIfAbsent(parameter.name(), n -> new ArrayList<>()).add(definition);
                first.putIfAbsent(parameter.name(), parameter);
            }
        }
        List<Parameter> result = new ArrayList<>();
        result.add(CHECK);
        for (Map.Entry<String, List<CheckDefinition>> entry : owners.entrySet()) {
            String name = entry.getKey();
            List<CheckDefinition> checks = entry.getValue();
            if (checks.size() == 1) {
                Parameter only = first.get(name);
                result.add(new Parameter(name, only.defaultValue(), "check=" + checks.get(0).name() + ": " + only.description()));
            } else {
                Parameter firstOne = first.get(name);
                boolean sameDefault = checks.stream().allMatch(c -> c.parameters().stream()
                    .anyMatch(p -> p.name().equals(name) && p.defaultValue().equals(firstOne.defaultValue())));
                boolean sameDescription = checks.stream().allMatch(c -> c.parameters().stream()
                    .anyMatch(p -> p.name().equals(name) && p.description().equals(firstOne.description())));
                String usedBy = checks.stream()
                    .map(c -> sameDefault ? c.name() : c.name() + " (default " + c.parameters().stream().filter(p -> p.name().equals(name))
                        .findFirst().map(Parameter::defaultForDocs).orElse("") + ")")
                    .collect(Collectors.joining(", "));
                String description = "check=" + usedBy + ": "
                    + (sameDescription ? firstOne.description() : "points when the check finds what it looks for; see the check's own table");
                result.add(new Parameter(name, sameDefault ? firstOne.defaultValue() : java.util.Optional.of("per check"), description));
            }
        }
        return List.copyOf(result);
    }

    @Override
    public void init() throws MessagingException {
        String component = getMailetConfig().getMailetName();
        Map<String, String> values = new LinkedHashMap<>();
        Iterator<String> names = getMailetConfig().getInitParameterNames();
        while (names.hasNext()) {
            String name = names.next();
            values.put(name, getMailetConfig().getInitParameter(name));
        }
        String checkName = Optional.ofNullable(values.get(CHECK.name())).map(String::trim).orElse("");
        if (checkName.isEmpty()) {
            throw new MessagingException(component + ": parameter 'check' is required; allowed values are " + CheckRegistry.names());
        }
        definition = CheckRegistry.find(checkName)
            .orElseThrow(() -> new MessagingException(component + ": parameter 'check' has invalid value '" + checkName
                + "': expected one of " + CheckRegistry.names()));
        List<Parameter> allowed = new ArrayList<>();
        allowed.add(CHECK);
        allowed.addAll(definition.parameters());
        List<String> allowedNames = allowed.stream().map(Parameter::name).collect(Collectors.toList());
        for (String name : values.keySet()) {
            if (allowedNames.contains(name)) {
                continue;
            }
            List<String> owners = CheckRegistry.ALL.stream()
                .filter(d -> d.parameters().stream().anyMatch(p -> p.name().equals(name)))
                .map(CheckDefinition::name)
                .collect(Collectors.toList());
            if (!owners.isEmpty()) {
                throw new MessagingException(component + ": parameter '" + name + "' does not belong to check=" + definition.name()
                    + " (it is a parameter of " + String.join(", ", owners) + "); check=" + definition.name() + " takes " + allowedNames);
            }
        }
        MailetParameters parameters = MailetParameters.parse(component, values, allowed);
        check = definition.factory().create(parameters, new CheckEnvironment(dns, fileSystem, getMailetContext()));
    }

    public String checkName() {
        return definition.name();
    }

    @Override
    public void service(Mail mail) {
        if (ListDecision.of(mail).filter(decision -> decision.skips(definition.name())).isPresent()) {
            return;
        }
        ScoringBudget budget = runner.budget();
        long spent = spentMillis(mail);
        long remaining = budget.perMessage().toMillis() - spent;
        if (remaining <= 0) {
            ScoreSheet.add(mail, Finding.couldNotRun("check " + definition.name() + " was not run: the checks of this message took too long"
                + " (scoring budget " + budget.describe() + " used up)"));
            return;
        }
        List<Finding> findings;
        long start = System.nanoTime();
        try {
            findings = runner.run(() -> check.evaluate(mail), Duration.ofMillis(remaining));
        } catch (TimeoutException e) {
            boolean neverRan = CheckRunner.NO_FREE_THREAD.equals(e.getMessage());
            LOGGER.warn("Check {} took too long on mail {}{}: scoring budget {} used up", definition.name(), mail.getName(),
                neverRan ? " waiting for a free check thread" : " and was stopped", budget.describe());
            findings = List.of(Finding.couldNotRun("check " + definition.name() + " took too long"
                + (neverRan ? " waiting for a free check thread (all " + budget.threads() + " busy)" : " and was stopped")
                + " (scoring budget " + budget.describe() + " used up)"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            findings = List.of(Finding.couldNotRun("check " + definition.name() + " could not run: interrupted"));
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            LOGGER.warn("Check {} could not run on mail {}", definition.name(), mail.getName(), cause);
            String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
            findings = List.of(Finding.couldNotRun("check " + definition.name() + " could not run: " + message));
        } finally {
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            mail.setAttribute(new Attribute(PortcullisAttributes.SCORING_TIME, AttributeValue.of(spent + took)));
        }
        for (Finding finding : findings) {
            ScoreSheet.add(mail, finding);
        }
    }

    /** What the checks of the mail have taken so far ({@link PortcullisAttributes#SCORING_TIME}), 0 when none ran. */
    static long spentMillis(Mail mail) {
        return mail.getAttribute(PortcullisAttributes.SCORING_TIME)
            .map(attribute -> attribute.getValue().value())
            .map(value -> value instanceof Number number ? number.longValue() : 0L)
            .orElse(0L);
    }

    @Override
    public String getMailetInfo() {
        return "Portcullis ScoreFilter";
    }
}
