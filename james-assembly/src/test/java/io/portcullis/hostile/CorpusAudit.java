package io.portcullis.hostile;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.apache.james.utils.TestIMAPClient;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * Finds out what became of every corpus message acknowledged with {@code 250}: its tracking record (searched
 * by its unique envelope sender through WebAdmin {@code /portcullis/tracking}), its mailbox copy (IMAP,
 * matched on the {@code Return-Path} local delivery writes), its quarantine entry ({@code /portcullis/quarantine})
 * and any mail repository entry ({@code /mailRepositories}). Each message that is not both tracked and
 * delivered or held is a loss, named by kind.
 */
public final class CorpusAudit {
    private static final Pattern RETURN_PATH = Pattern.compile("(?i)Return-Path:\\s*<([^>\\s]*)>");
    private static final Set<String> DONE = Set.of("delivered", "held");

    private final Supplier<RequestSpecification> webAdmin;
    private final int imapPort;
    private final String user;
    private final String password;
    private final String senderDomain;

    /** Tracking summaries by lower-cased sender (several when a message was split or notified). */
    private Map<String, List<Map<String, Object>>> tracked = Map.of();

    public CorpusAudit(Supplier<RequestSpecification> webAdmin, int imapPort, String user, String password, String senderDomain) {
        this.webAdmin = webAdmin;
        this.imapPort = imapPort;
        this.user = user;
        this.password = password;
        this.senderDomain = senderDomain;
    }

    /** Polls tracking until every acknowledged message is delivered or held, or {@code timeout} passes; returns those still not done. */
    public Set<String> awaitSettled(Collection<String> acknowledgedSenders, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        Set<String> pending;
        while (true) {
            tracked = trackedBySender();
            pending = acknowledgedSenders.stream().map(s -> s.toLowerCase(Locale.ROOT))
                .filter(s -> tracked.getOrDefault(s, List.of()).stream().noneMatch(m -> DONE.contains(String.valueOf(m.get("status")))))
                .collect(Collectors.toCollection(HashSet::new));
            if (pending.isEmpty() || Instant.now().isAfter(deadline)) {
                return pending;
            }
            Thread.sleep(2_000);
        }
    }

    /** Every tracking record whose sender is in the corpus domain, by lower-cased sender. */
    public Map<String, List<Map<String, Object>>> trackedBySender() {
        Map<String, List<Map<String, Object>>> bySender = new HashMap<>();
        for (int page = 1; ; page++) {
            JsonPath result = webAdmin.get().queryParam("sender", "@" + senderDomain).queryParam("pageSize", "300").queryParam("page", String.valueOf(page))
                .get("/portcullis/tracking").then().statusCode(200).extract().jsonPath();
            List<Map<String, Object>> messages = result.getList("messages");
            if (messages == null || messages.isEmpty()) {
                return bySender;
            }
            for (Map<String, Object> message : messages) {
                bySender.computeIfAbsent(String.valueOf(message.get("sender")).toLowerCase(Locale.ROOT), s -> new ArrayList<>()).add(message);
            }
            if (messages.size() < 300) {
                return bySender;
            }
        }
    }

    /** Quarantine areas by lower-cased sender. */
    public Map<String, List<String>> quarantinedBySender() {
        Map<String, List<String>> bySender = new HashMap<>();
        for (int page = 1; ; page++) {
            JsonPath result = webAdmin.get().queryParam("sender", "@" + senderDomain).queryParam("pageSize", "300").queryParam("page", String.valueOf(page))
                .get("/portcullis/quarantine").then().statusCode(200).extract().jsonPath();
            List<Map<String, Object>> items = result.getList("items");
            if (items == null || items.isEmpty()) {
                return bySender;
            }
            for (Map<String, Object> item : items) {
                bySender.computeIfAbsent(String.valueOf(item.get("sender")).toLowerCase(Locale.ROOT), s -> new ArrayList<>()).add(String.valueOf(item.get("area")));
            }
            if (items.size() < 300) {
                return bySender;
            }
        }
    }

    /** The lower-cased envelope senders of the messages in the user's INBOX, from their {@code Return-Path}. */
    public Set<String> deliveredSenders() throws Exception {
        Set<String> senders = new HashSet<>();
        try (TestIMAPClient imap = new TestIMAPClient()) {
            imap.connect("127.0.0.1", imapPort).login(user, password).select(TestIMAPClient.INBOX);
            if (imap.getMessageCount(TestIMAPClient.INBOX) == 0) {
                return senders;
            }
            String fetched = imap.sendCommand("FETCH 1:* (BODY.PEEK[HEADER.FIELDS (RETURN-PATH)])");
            Matcher matcher = RETURN_PATH.matcher(fetched);
            while (matcher.find()) {
                senders.add(matcher.group(1).toLowerCase(Locale.ROOT));
            }
        }
        return senders;
    }

    /** Entries of every mail repository: repository path → the lower-cased senders and error texts of its mails. */
    public Map<String, List<String>> repositoryEntries() {
        Map<String, List<String>> entries = new TreeMap<>();
        List<Map<String, Object>> repositories = webAdmin.get().get("/mailRepositories").then().statusCode(200).extract().jsonPath().getList("$");
        for (Map<String, Object> repository : repositories) {
            String path = String.valueOf(repository.get("path"));
            List<String> keys = webAdmin.get().urlEncodingEnabled(false).queryParam("limit", "10000").get("/mailRepositories/" + path + "/mails")
                .then().statusCode(200).extract().jsonPath().getList("$");
            List<String> mails = new ArrayList<>();
            for (String key : keys) {
                Response detail = webAdmin.get().urlEncodingEnabled(false).accept(ContentType.JSON)
                    .get("/mailRepositories/" + path + "/mails/" + encode(key));
                if (detail.statusCode() == 200) {
                    JsonPath mail = detail.jsonPath();
                    String error = String.valueOf(mail.getString("error"));
                    mails.add(String.valueOf(mail.getString("sender")).toLowerCase(Locale.ROOT) + " | "
                        + (error.contains("\n") ? error.substring(0, error.indexOf('\n')) : error));
                } else {
                    mails.add(key + " | (details " + detail.statusCode() + ")");
                }
            }
            entries.put(String.valueOf(repository.get("repository")), mails);
        }
        return entries;
    }

    private static String encode(String key) {
        return URLEncoder.encode(key, StandardCharsets.UTF_8);
    }

    /** Time from {@code RECEIVED_BY_MTA} to the first delivered / held event of one tracked message, when both are present. */
    public Duration processingTime(String trackingId) {
        JsonPath detail = webAdmin.get().get("/portcullis/tracking/" + trackingId).then().statusCode(200).extract().jsonPath();
        List<Map<String, Object>> events = detail.getList("events");
        Instant received = null;
        Instant done = null;
        for (Map<String, Object> event : events) {
            String type = String.valueOf(event.get("type"));
            Instant at = Instant.parse(String.valueOf(event.get("at")));
            if (type.equals("RECEIVED_BY_MTA") && (received == null || at.isBefore(received))) {
                received = at;
            }
            if ((type.equals("DELIVERED_LOCALLY") || type.equals("DELIVERED") || type.equals("HELD") || type.equals("PLACED_IN_PROBLEM_AREA"))
                && (done == null || at.isBefore(done))) {
                done = at;
            }
        }
        return received == null || done == null ? null : Duration.between(received, done);
    }

    private Duration timeOrNull(String trackingId) {
        try {
            return processingTime(trackingId);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The verdict on one corpus run. */
    public record Verdict(Map<String, List<String>> lossesByKind, Map<String, Integer> outcomeCounts, Map<String, List<String>> repositories,
                          Map<String, List<String>> refusals, String timings) {
        public int losses() {
            return lossesByKind.values().stream().mapToInt(List::size).sum();
        }

        public String describe() {
            StringBuilder text = new StringBuilder("outcomes: ").append(outcomeCounts).append('\n');
            refusals.forEach((reply, messages) -> text.append("refused ").append(messages.size()).append(" × ").append(reply).append(" — ")
                .append(summarise(messages)).append('\n'));
            lossesByKind.forEach((kind, messages) -> text.append("LOSS ").append(kind).append(": ").append(messages.size()).append(" — ")
                .append(summarise(messages)).append('\n'));
            repositories.forEach((repository, mails) -> {
                if (!mails.isEmpty()) {
                    text.append("repository ").append(repository).append(": ").append(mails.size()).append(" — ")
                        .append(mails.stream().limit(10).collect(Collectors.joining("; "))).append('\n');
                }
            });
            return text.append(timings).toString();
        }

        private static String summarise(List<String> messages) {
            Map<String, Long> byFamily = messages.stream().collect(Collectors.groupingBy(CorpusAudit::family, TreeMap::new, Collectors.counting()));
            return "by family " + byFamily + ", e.g. " + messages.stream().limit(3).collect(Collectors.joining(", "));
        }
    }

    /** The family part of a corpus sender {@code h<index>-<family>@domain}. */
    static String family(String sender) {
        String local = sender.contains("@") ? sender.substring(0, sender.indexOf('@')) : sender;
        int dash = local.indexOf('-');
        return dash < 0 ? local : local.substring(dash + 1);
    }

    /**
     * Classifies every acknowledged message: delivered (tracked delivered and in the mailbox), held (tracked held
     * and in quarantine), or a loss of a named kind; also lists every corpus mail in a mail repository.
     */
    public Verdict verdict(Map<Integer, CorpusSender.Outcome> outcomes, boolean withTimings) throws Exception {
        tracked = trackedBySender();
        Map<String, List<String>> quarantined = quarantinedBySender();
        Set<String> delivered = deliveredSenders();
        Map<String, List<String>> repositories = repositoryEntries();
        Map<String, List<String>> losses = new TreeMap<>();
        Map<String, Integer> counts = new TreeMap<>();
        Map<String, List<String>> refusals = new TreeMap<>();
        List<Map.Entry<String, Duration>> times = new ArrayList<>();
        for (CorpusSender.Outcome outcome : outcomes.values()) {
            String sender = outcome.message().envelopeSender().toLowerCase(Locale.ROOT);
            if (!outcome.acknowledged()) {
                counts.merge("not acknowledged (" + replyClass(outcome.reply()) + ")", 1, Integer::sum);
                String reply = outcome.reply().length() > 120 ? outcome.reply().substring(0, 120) : outcome.reply();
                refusals.computeIfAbsent(reply, r -> new ArrayList<>()).add(sender);
                continue;
            }
            List<Map<String, Object>> records = tracked.getOrDefault(sender, List.of());
            Set<String> statuses = records.stream().map(m -> String.valueOf(m.get("status"))).collect(Collectors.toCollection(TreeSet::new));
            String kind;
            if (records.isEmpty()) {
                kind = "acknowledged but not tracked";
            } else if (statuses.contains("delivered")) {
                kind = delivered.contains(sender) ? null : "tracked delivered but not in the mailbox";
            } else if (statuses.contains("held")) {
                kind = quarantined.containsKey(sender) ? null : "tracked held but not in quarantine";
            } else {
                kind = "acknowledged but tracked as " + statuses + (delivered.contains(sender) ? " (in the mailbox)" : "")
                    + (quarantined.containsKey(sender) ? " (in quarantine)" : "");
            }
            if (kind != null) {
                losses.computeIfAbsent(kind, k -> new ArrayList<>()).add(sender);
                counts.merge("lost", 1, Integer::sum);
                continue;
            }
            counts.merge(statuses.contains("delivered") ? "delivered" : "held " + quarantined.get(sender), 1, Integer::sum);
            if (withTimings) {
                for (Map<String, Object> record : records) {
                    Duration took = timeOrNull(String.valueOf(record.get("trackingId")));
                    if (took != null) {
                        times.add(Map.entry(sender, took));
                        break;
                    }
                }
            }
        }
        Map<String, List<String>> corpusInRepositories = new LinkedHashMap<>();
        repositories.forEach((repository, mails) -> corpusInRepositories.put(repository,
            mails.stream().filter(m -> m.contains("@" + senderDomain.toLowerCase(Locale.ROOT))).collect(Collectors.toList())));
        for (Map.Entry<String, List<String>> repository : corpusInRepositories.entrySet()) {
            if (repository.getKey().contains("error")) {
                for (String mail : repository.getValue()) {
                    String sender = mail.substring(0, mail.indexOf(" | "));
                    String kind = tracked.containsKey(sender) ? "in the error repository" : "in the error repository without a tracking event";
                    losses.computeIfAbsent(kind, k -> new ArrayList<>()).add(sender);
                }
            }
        }
        return new Verdict(losses, counts, corpusInRepositories, refusals, withTimings ? timings(times, outcomes) : "");
    }

    private static String replyClass(String reply) {
        if (reply.startsWith("I/O")) {
            return "connection error";
        }
        String code = reply.replaceAll("^(MAIL|RCPT|DATA): ", "");
        return code.length() >= 3 ? code.substring(0, 3) : code;
    }

    private static String timings(List<Map.Entry<String, Duration>> times, Map<Integer, CorpusSender.Outcome> outcomes) {
        List<Duration> data = outcomes.values().stream().filter(CorpusSender.Outcome::acknowledged).map(CorpusSender.Outcome::dataReply)
            .sorted().collect(Collectors.toList());
        CorpusSender.Outcome slowestData = outcomes.values().stream().filter(CorpusSender.Outcome::acknowledged)
            .max(Comparator.comparing(CorpusSender.Outcome::dataReply)).orElse(null);
        times.sort(Map.Entry.comparingByValue());
        StringBuilder text = new StringBuilder();
        if (!data.isEmpty()) {
            text.append(String.format("SMTP end-of-data to 250 (pre-queue scoring): p50 %d ms, p99 %d ms, max %d ms (%s)%n",
                percentile(data, 50).toMillis(), percentile(data, 99).toMillis(), data.get(data.size() - 1).toMillis(), slowestData.message()));
        }
        if (!times.isEmpty()) {
            List<Duration> spool = times.stream().map(Map.Entry::getValue).collect(Collectors.toList());
            text.append(String.format("spool, received to delivered or held: p50 %d ms, p99 %d ms, max %d ms (%s), %d messages timed%n",
                percentile(spool, 50).toMillis(), percentile(spool, 99).toMillis(), spool.get(spool.size() - 1).toMillis(),
                times.get(times.size() - 1).getKey(), times.size()));
            text.append("slowest five: ").append(times.subList(Math.max(0, times.size() - 5), times.size()).stream()
                .map(e -> family(e.getKey()) + " " + e.getValue().toMillis() + " ms").collect(Collectors.joining(", "))).append('\n');
        }
        return text.toString();
    }

    private static Duration percentile(List<Duration> sorted, int percent) {
        int index = (int) Math.ceil(percent / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }
}
