package io.portcullis.delivery.webadmin;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import javax.inject.Inject;

import org.apache.james.webadmin.Routes;
import org.apache.james.webadmin.utils.ErrorResponder;
import org.apache.james.webadmin.utils.JsonTransformer;

import io.portcullis.delivery.DeliveryAttempt;
import io.portcullis.delivery.DeliveryLog;
import io.portcullis.delivery.PendingLog;
import io.portcullis.delivery.PendingMail;
import spark.Request;
import spark.Service;

/**
 * The Pending and Delivery logs.
 * <pre>
 * GET    /portcullis/logs/pending                     every message still being worked on
 * GET    /portcullis/logs/pending/{mailName}          one of them
 * POST   /portcullis/logs/pending/{mailName}?action=retry|bounce
 * DELETE /portcullis/logs/pending/{mailName}
 * GET    /portcullis/logs/delivery?trackingId=&amp;outcome=delivered|deferred|failed&amp;recipient=&amp;from=&amp;to=&amp;limit=
 * GET    /portcullis/logs/delivery/{trackingId}       the attempts of one message, oldest first
 * </pre>
 */
public class DeliveryRoutes implements Routes {
    public static final String BASE = "/portcullis/logs";
    private static final String ADMIN = "webadmin";

    private final PendingLog pendingLog;
    private final DeliveryLog deliveryLog;
    private final JsonTransformer json;

    @Inject
    public DeliveryRoutes(PendingLog pendingLog, DeliveryLog deliveryLog, JsonTransformer json) {
        this.pendingLog = pendingLog;
        this.deliveryLog = deliveryLog;
        this.json = json;
    }

    @Override
    public String getBasePath() {
        return BASE;
    }

    @Override
    public void define(Service service) {
        service.get(BASE + "/pending", (request, response) -> {
            List<Map<String, Object>> messages = pendingLog.list().stream().map(DeliveryRoutes::pending).toList();
            return Map.of("count", messages.size(), "messages", messages);
        }, json);
        service.get(BASE + "/pending/:mailName", (request, response) -> pendingLog.get(request.params("mailName"))
            .map(DeliveryRoutes::pending)
            .orElseThrow(() -> notFound("No pending mail named '" + request.params("mailName") + "'")), json);
        service.post(BASE + "/pending/:mailName", (request, response) -> {
            String action = Optional.ofNullable(request.queryParams("action")).orElse("");
            PendingLog.Action parsed;
            if (action.equalsIgnoreCase("retry")) {
                parsed = PendingLog.Action.RETRY;
            } else if (action.equalsIgnoreCase("bounce")) {
                parsed = PendingLog.Action.BOUNCE;
            } else {
                throw badRequest("Invalid action '" + action + "': expected retry or bounce");
            }
            String mailName = request.params("mailName");
            if (pendingLog.get(mailName).isEmpty()) {
                throw notFound("No pending mail named '" + mailName + "'");
            }
            try {
                String newName = pendingLog.act(mailName, parsed, ADMIN);
                return Map.of("mailName", mailName, "action", parsed.name().toLowerCase(Locale.ROOT), "newMailName", newName);
            } catch (PendingLog.NotActionable e) {
                throw badRequest(e.getMessage());
            }
        }, json);
        service.delete(BASE + "/pending/:mailName", (request, response) -> {
            String mailName = request.params("mailName");
            if (!pendingLog.delete(mailName, ADMIN)) {
                throw notFound("No pending mail named '" + mailName + "'");
            }
            response.status(204);
            return "";
        });
        service.get(BASE + "/delivery", (request, response) -> {
            List<Map<String, Object>> attempts = deliveryLog.search(query(request)).stream().map(DeliveryRoutes::attempt).toList();
            return Map.of("count", attempts.size(), "attempts", attempts);
        }, json);
        service.get(BASE + "/delivery/:trackingId", (request, response) -> {
            List<Map<String, Object>> attempts = deliveryLog.attemptsOf(request.params("trackingId")).stream().map(DeliveryRoutes::attempt).toList();
            if (attempts.isEmpty()) {
                throw notFound("No delivery attempt for tracking id '" + request.params("trackingId") + "'");
            }
            return Map.of("trackingId", request.params("trackingId"), "attempts", attempts);
        }, json);
    }

    private static DeliveryLog.Query query(Request request) {
        Optional<DeliveryAttempt.Outcome> outcome = Optional.ofNullable(request.queryParams("outcome")).map(value ->
            DeliveryAttempt.Outcome.parse(value).orElseThrow(() -> badRequest("Invalid outcome '" + value + "': expected delivered, deferred or failed")));
        int limit = Optional.ofNullable(request.queryParams("limit")).map(value -> {
            try {
                int parsed = Integer.parseInt(value);
                if (parsed >= 1 && parsed <= 1000) {
                    return parsed;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw badRequest("Invalid limit '" + value + "': expected 1 to 1000");
        }).orElse(100);
        return new DeliveryLog.Query(Optional.ofNullable(request.queryParams("trackingId")), outcome,
            instant(request, "from"), instant(request, "to"), Optional.ofNullable(request.queryParams("recipient")), limit);
    }

    private static Optional<Instant> instant(Request request, String name) {
        return Optional.ofNullable(request.queryParams(name)).map(value -> {
            try {
                return Instant.parse(value);
            } catch (DateTimeParseException e) {
                throw badRequest("Invalid " + name + " '" + value + "': expected an ISO-8601 instant such as 2026-11-23T08:00:00Z");
            }
        });
    }

    static Map<String, Object> pending(PendingMail mail) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("mailName", mail.mailName());
        view.put("queue", mail.queue());
        view.put("trackingId", mail.trackingId().orElse(null));
        view.put("sender", mail.sender());
        view.put("recipients", mail.recipients());
        view.put("subject", mail.subject().orElse(null));
        view.put("since", mail.since().toString());
        view.put("direction", mail.direction().orElse(null));
        view.put("attempts", mail.attempts());
        view.put("nextAttempt", mail.nextAttempt().map(Instant::toString).orElse(null));
        view.put("lastError", mail.lastError().orElse(null));
        view.put("lastErrorExplanation", mail.lastErrorExplanation().orElse(null));
        view.put("state", mail.state());
        return view;
    }

    static Map<String, Object> attempt(DeliveryAttempt attempt) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("time", attempt.at().toString());
        view.put("trackingId", attempt.trackingId().orElse(null));
        view.put("mailName", attempt.mailName());
        view.put("sender", attempt.sender());
        view.put("recipients", attempt.recipients());
        view.put("attempt", attempt.attemptNumber());
        view.put("host", attempt.host().orElse(null));
        view.put("ip", attempt.ip().orElse(null));
        view.put("tls", attempt.tls().value());
        view.put("replyCode", attempt.reply().code().orElse(null));
        view.put("enhancedCode", attempt.reply().enhancedCode().orElse(null));
        view.put("replyText", attempt.reply().text());
        view.put("reply", attempt.reply().raw());
        view.put("explanation", attempt.explanation());
        view.put("outcome", attempt.outcome().value());
        return view;
    }

    private static RuntimeException badRequest(String message) {
        return ErrorResponder.builder().statusCode(400).type(ErrorResponder.ErrorType.INVALID_ARGUMENT).message(message).haltError();
    }

    private static RuntimeException notFound(String message) {
        return ErrorResponder.builder().statusCode(404).type(ErrorResponder.ErrorType.NOT_FOUND).message(message).haltError();
    }
}
