package io.portcullis.scoring;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.filesystem.api.FileSystem;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.portcullis.checks.CheckRegistry;
import io.portcullis.config.MailetParameters;
import io.portcullis.config.Parameter;
import io.portcullis.dns.DnsLookupService;
import io.portcullis.lists.ListDecision;

/**
 * Runs one scoring check on the message and records what it found: adds its points to
 * {@code portcullis.score}, appends a readable reason to {@code portcullis.reasons} (e.g. "sender's server
 * 192.0.2.7 is listed on bl.example (127.0.0.2): +40") and the rule's system name to {@code portcullis.rules}.
 * Configure one {@code ScoreFilter} per check ({@code check=dnsbl}, {@code check=spf}, ...); each check takes
 * only its own parameters and a parameter of another check is a start-up error. A check that cannot run adds a
 * "could not run" reason (rule {@code check:tempfail}, +0); the mail always goes on.
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

    private final DnsLookupService dns;
    private final FileSystem fileSystem;
    private CheckDefinition definition;
    private Check check;

    @Inject
    public ScoreFilter(DnsLookupService dns, FileSystem fileSystem) {
        this.dns = dns;
        this.fileSystem = fileSystem;
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
        List<Finding> findings;
        try {
            findings = check.evaluate(mail);
        } catch (Exception e) {
            LOGGER.warn("Check {} could not run on mail {}", definition.name(), mail.getName(), e);
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            findings = List.of(Finding.couldNotRun("check " + definition.name() + " could not run: " + message));
        }
        for (Finding finding : findings) {
            ScoreSheet.add(mail, finding);
        }
    }

    @Override
    public String getMailetInfo() {
        return "Portcullis ScoreFilter";
    }
}
