package io.portcullis.quarantine.route;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import javax.inject.Inject;
import javax.mail.internet.AddressException;

import org.apache.james.core.MailAddress;
import org.apache.james.webadmin.Routes;
import org.apache.james.webadmin.authentication.AuthenticationFilter;
import org.apache.james.webadmin.utils.ErrorResponder;
import org.apache.james.webadmin.utils.JsonTransformer;
import org.eclipse.jetty.http.HttpStatus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.portcullis.quarantine.ActionResult;
import io.portcullis.quarantine.EntryPage;
import io.portcullis.quarantine.EntryState;
import io.portcullis.quarantine.ListCriteria;
import io.portcullis.quarantine.QuarantineEntry;
import io.portcullis.quarantine.QuarantineException;
import io.portcullis.quarantine.QuarantineService;
import spark.HaltException;
import spark.Request;
import spark.Response;
import spark.Service;

/**
 * WebAdmin routes of the quarantine (documented in mailets/README.md, "Quarantine"):
 *
 * <pre>
 * GET    /portcullis/quarantine?recipient=&amp;area=&amp;sender=&amp;from=&amp;to=&amp;state=&amp;page=&amp;pageSize=
 * GET    /portcullis/quarantine/{id}
 * GET    /portcullis/quarantine/{id}/raw                        message/rfc822, recorded "Viewed raw message"
 * POST   /portcullis/quarantine/{id}?action=release|retry|force|forward|neverExpire|delete[&amp;to=address]
 * DELETE /portcullis/quarantine/{id}
 * POST   /portcullis/quarantine?action=...[&amp;to=address]       body: ["id1", "id2"] or {"ids": [...]}
 * </pre>
 *
 * Every action is tracked with "Actioned by" = the WebAdmin login (JWT) or {@code admin}. Errors are JSON
 * {@code {statusCode, type, message}}: 400 bad input, 404 unknown id, 409 an action the entry's state forbids
 * (release after delete), 500 when the store fails (nothing is lost; repeat the action).
 */
public class QuarantineRoutes implements Routes {
    public static final String BASE = "/portcullis/quarantine";
    public static final String DEFAULT_ACTOR = "admin";
    public static final int MAX_BULK = 1000;
    private static final Set<String> LIST_PARAMETERS = Set.of("recipient", "area", "sender", "from", "to", "state", "page", "pageSize");

    private final QuarantineService service;
    private final JsonTransformer json = new JsonTransformer();
    private final ObjectMapper mapper = new ObjectMapper();

    @Inject
    public QuarantineRoutes(QuarantineService service) {
        this.service = service;
    }

    @Override
    public String getBasePath() {
        return BASE;
    }

    @Override
    public void define(Service http) {
        http.get(BASE, (request, response) -> guarded(() -> list(request)), json);
        http.get(BASE + "/:id", (request, response) -> guarded(() -> view(request)), json);
        http.get(BASE + "/:id/raw", (request, response) -> guarded(() -> raw(request, response)));
        http.post(BASE + "/:id", (request, response) -> guarded(() -> action(request, response)), json);
        http.delete(BASE + "/:id", (request, response) -> guarded(() -> respond(response,
            service.delete(request.params("id"), actor(request)))), json);
        http.post(BASE, (request, response) -> guarded(() -> bulk(request)), json);
    }

    private interface Handler {
        Object handle() throws Exception;
    }

    private static Object guarded(Handler handler) throws Exception {
        try {
            return handler.handle();
        } catch (HaltException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw badRequest(e.getMessage());
        } catch (QuarantineException e) {
            throw ErrorResponder.builder().statusCode(HttpStatus.INTERNAL_SERVER_ERROR_500).type(ErrorResponder.ErrorType.SERVER_ERROR)
                .message(e.getMessage()).haltError();
        }
    }

    private static HaltException badRequest(String message) {
        return ErrorResponder.builder().statusCode(HttpStatus.BAD_REQUEST_400).type(ErrorResponder.ErrorType.INVALID_ARGUMENT)
            .message(message).haltError();
    }

    private static HaltException notFound(String id) {
        return ErrorResponder.builder().statusCode(HttpStatus.NOT_FOUND_404).type(ErrorResponder.ErrorType.NOT_FOUND)
            .message("no quarantine entry '" + id + "'").haltError();
    }

    private static String actor(Request request) {
        Object login = request.attribute(AuthenticationFilter.LOGIN);
        return login == null ? DEFAULT_ACTOR : String.valueOf(login);
    }

    private Object list(Request request) {
        Set<String> unknown = new TreeSet<>(request.queryParams());
        unknown.removeAll(LIST_PARAMETERS);
        if (!unknown.isEmpty()) {
            throw badRequest("unknown query parameter(s) " + unknown + "; allowed: " + new TreeSet<>(LIST_PARAMETERS));
        }
        Optional<String> area = query(request, "area").map(a -> a.toLowerCase(Locale.ROOT));
        area.ifPresent(a -> {
            if (service.configuration().area(a).isEmpty()) {
                throw badRequest("unknown area '" + a + "'; areas are " + new TreeSet<>(service.configuration().areas().keySet()));
            }
        });
        Optional<EntryState> state = query(request, "state").map(value -> {
            try {
                return EntryState.valueOf(value.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw badRequest("invalid state '" + value + "'; expected one of " + List.of(EntryState.values()).stream()
                    .map(s -> s.name().toLowerCase(Locale.ROOT)).collect(Collectors.toList()));
            }
        });
        int page = integer(request, "page", 1, 1, Integer.MAX_VALUE);
        int pageSize = integer(request, "pageSize", 20, 1, ListCriteria.MAX_PAGE_SIZE);
        Optional<Instant> from = query(request, "from").map(value -> instant("from", value));
        Optional<Instant> to = query(request, "to").map(value -> instant("to", value));
        if (from.isPresent() && to.isPresent() && !from.get().isBefore(to.get())) {
            throw badRequest("'from' must be before 'to'");
        }
        EntryPage result = service.list(new ListCriteria(query(request, "recipient").map(QuarantineRoutes::addressOrDomain),
            area, query(request, "sender").map(QuarantineRoutes::addressOrDomain), from, to, state, page, pageSize));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("page", result.page());
        body.put("pageSize", result.pageSize());
        body.put("total", result.total());
        body.put("items", result.entries().stream().map(QuarantineRoutes::summary).collect(Collectors.toList()));
        return body;
    }

    private static String addressOrDomain(String value) {
        if (value.equals("<>") || value.startsWith("@") && value.length() > 1 && !value.substring(1).contains("@")) {
            return value;
        }
        try {
            return new MailAddress(value).asString();
        } catch (AddressException e) {
            throw badRequest("invalid address '" + value + "': expected an address, @domain or <>");
        }
    }

    private static Optional<String> query(Request request, String name) {
        return Optional.ofNullable(request.queryParams(name)).map(String::trim).filter(s -> !s.isEmpty());
    }

    private static int integer(Request request, String name, int defaultValue, int min, int max) {
        Optional<String> value = query(request, name);
        if (value.isEmpty()) {
            return defaultValue;
        }
        try {
            int parsed = Integer.parseInt(value.get());
            if (parsed >= min && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw badRequest("invalid " + name + " '" + value.get() + "': expected an integer between " + min + " and " + max);
    }

    private static Instant instant(String name, String value) {
        try {
            if (value.length() == 10) {
                return LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw badRequest("invalid " + name + " '" + value + "': expected a date (2026-11-23) or an instant (2026-11-23T08:00:00Z)");
        }
    }

    private Object view(Request request) {
        String id = request.params("id");
        QuarantineEntry entry = service.view(id, actor(request)).orElseThrow(() -> notFound(id));
        Map<String, Object> body = summary(entry);
        body.put("reasons", entry.message().reasons());
        body.put("triggeredRules", entry.message().triggeredRules());
        body.put("direction", entry.message().direction().orElse(null));
        body.put("trackingId", entry.message().trackingId());
        body.put("mailName", entry.message().mailName());
        body.put("stateChanged", entry.stateChanged().toString());
        body.put("action", entry.dispatchAction().map(a -> a.value()).orElse(null));
        body.put("newMailName", entry.dispatchedCopy().orElse(null));
        body.put("actionedBy", entry.actionedBy().orElse(null));
        return body;
    }

    private static Map<String, Object> summary(QuarantineEntry entry) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("id", entry.entryId());
        item.put("recipient", entry.recipient());
        item.put("sender", entry.message().sender().isEmpty() ? "<>" : entry.message().sender());
        item.put("subject", entry.message().subject().orElse(null));
        item.put("area", entry.message().area());
        item.put("state", entry.state().name().toLowerCase(Locale.ROOT));
        item.put("arrival", entry.message().arrival().toString());
        item.put("expiry", entry.expiry().map(Instant::toString).orElse(null));
        item.put("neverExpire", entry.expiry().isEmpty());
        item.put("score", entry.message().score().orElse(null));
        item.put("size", entry.message().size());
        item.put("messageSecurity", entry.message().messageSecurity().orElse(null));
        item.put("unscannableReason", entry.message().unscannableReason().orElse(null));
        return item;
    }

    private Object raw(Request request, Response response) {
        String id = request.params("id");
        if (service.entry(id).isEmpty()) {
            throw notFound(id);
        }
        byte[] raw = service.raw(id, actor(request)).orElseThrow(() -> ErrorResponder.builder()
            .statusCode(HttpStatus.NOT_FOUND_404).type(ErrorResponder.ErrorType.NOT_FOUND)
            .message("the message of entry '" + id + "' is no longer held (released, deleted or discarded)").haltError());
        response.type("message/rfc822");
        response.header("Content-Disposition", "attachment; filename=\"" + id + ".eml\"");
        return raw;
    }

    private Object action(Request request, Response response) {
        String id = request.params("id");
        String action = requiredAction(request);
        return respond(response, service.apply(action, id, to(request, action), actor(request)));
    }

    private static String requiredAction(Request request) {
        String action = query(request, "action").orElseThrow(() -> badRequest("missing 'action': expected one of " + QuarantineService.ACTIONS));
        if (!QuarantineService.ACTIONS.contains(action)) {
            throw badRequest("invalid action '" + action + "': expected one of " + QuarantineService.ACTIONS);
        }
        return action;
    }

    private static Optional<MailAddress> to(Request request, String action) {
        Optional<String> to = query(request, "to");
        if (action.equals("forward") && to.isEmpty()) {
            throw badRequest("action 'forward' needs 'to' (the address to send the copy to)");
        }
        if (!action.equals("forward") && to.isPresent()) {
            throw badRequest("'to' only goes with action 'forward'");
        }
        return to.map(value -> {
            try {
                return new MailAddress(value);
            } catch (AddressException e) {
                throw badRequest("invalid 'to' address '" + value + "'");
            }
        });
    }

    private static Object respond(Response response, ActionResult result) {
        switch (result.outcome()) {
            case NOT_FOUND:
                throw notFound(result.entryId());
            case CONFLICT:
                throw ErrorResponder.builder().statusCode(HttpStatus.CONFLICT_409).type(ErrorResponder.ErrorType.WRONG_STATE)
                    .message(result.message().orElse("wrong state")).haltError();
            default:
                response.status(HttpStatus.OK_200);
                return result(result);
        }
    }

    private static Map<String, Object> result(ActionResult result) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", result.entryId());
        body.put("outcome", result.outcome().name().toLowerCase(Locale.ROOT));
        body.put("state", result.state().map(s -> s.name().toLowerCase(Locale.ROOT)).orElse(null));
        body.put("newMailName", result.newMailName().orElse(null));
        body.put("message", result.message().orElse(null));
        return body;
    }

    private Object bulk(Request request) {
        Set<String> unknown = new TreeSet<>(request.queryParams());
        unknown.removeAll(Set.of("action", "to"));
        if (!unknown.isEmpty()) {
            throw badRequest("unknown query parameter(s) " + unknown + "; a bulk action takes 'action' (and 'to' for forward)");
        }
        String action = requiredAction(request);
        Optional<MailAddress> to = to(request, action);
        List<String> ids = ids(request.body());
        List<ActionResult> results = service.bulk(action, ids, to, actor(request));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("action", action);
        body.put("results", results.stream().map(QuarantineRoutes::result).collect(Collectors.toList()));
        return body;
    }

    private List<String> ids(String body) {
        JsonNode node;
        try {
            node = mapper.readTree(body == null ? "" : body);
        } catch (Exception e) {
            throw badRequest("invalid JSON body: expected [\"id1\", \"id2\"] or {\"ids\": [...]}");
        }
        if (node != null && node.isObject() && node.has("ids")) {
            node = node.get("ids");
        }
        if (node == null || !node.isArray() || node.isEmpty()) {
            throw badRequest("expected a non-empty JSON list of ids: [\"id1\", \"id2\"] or {\"ids\": [...]}");
        }
        if (node.size() > MAX_BULK) {
            throw badRequest("at most " + MAX_BULK + " ids per request, got " + node.size());
        }
        List<String> ids = new ArrayList<>();
        for (JsonNode item : node) {
            if (!item.isTextual() || item.asText().isBlank()) {
                throw badRequest("ids must be non-empty strings, got " + item);
            }
            if (!ids.contains(item.asText())) {
                ids.add(item.asText());
            }
        }
        return ids;
    }
}
