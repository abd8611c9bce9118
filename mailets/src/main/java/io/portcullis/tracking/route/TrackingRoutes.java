package io.portcullis.tracking.route;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import javax.inject.Inject;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.james.webadmin.Routes;
import org.apache.james.webadmin.utils.ErrorResponder;
import org.apache.james.webadmin.utils.JsonTransformer;
import org.eclipse.jetty.http.HttpStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.portcullis.tracking.store.MessageDetail;
import io.portcullis.tracking.store.Periods;
import io.portcullis.tracking.store.SearchCriteria;
import io.portcullis.tracking.store.SearchResult;
import io.portcullis.tracking.store.StoredEvent;
import io.portcullis.tracking.store.TrackedMessage;
import io.portcullis.tracking.store.TrackingDao;
import spark.Request;
import spark.Response;
import spark.Service;

/**
 * Message tracking over WebAdmin (documented in mailets/README.md, "Message tracking"):
 * <ul>
 *   <li>{@code GET /portcullis/tracking?…} search, newest first, one page and the total;</li>
 *   <li>{@code GET /portcullis/tracking/{id}} message information and its events, oldest first;</li>
 *   <li>{@code GET /portcullis/tracking.csv?…} the same search as CSV, streamed, up to a configured cap.</li>
 * </ul>
 * Bad parameters answer 400 and an unknown id 404, as JSON {@code {statusCode, type, message}}.
 */
public class TrackingRoutes implements Routes {
    private static final Logger LOGGER = LoggerFactory.getLogger(TrackingRoutes.class);
    public static final String BASE = "/portcullis/tracking";
    public static final String CSV = "/portcullis/tracking.csv";
    public static final List<String> CSV_COLUMNS = List.of("Timestamp", "Event Type", "Tracking ID", "Message ID", "Node", "Sender",
        "Recipients", "Subject", "Status", "Message Outcome", "Reject Reason", "Attachments", "Encryption Type", "Transport Security");

    private final TrackingDao dao;
    private final Periods periods;
    private final long csvMaxRows;
    private final JsonTransformer json;

    @Inject
    public TrackingRoutes(TrackingDao dao, Periods periods, TrackingRouteSettings settings, JsonTransformer json) {
        this.dao = dao;
        this.periods = periods;
        this.csvMaxRows = settings.csvMaxRows();
        this.json = json;
    }

    /** What the routes need from {@code portcullis.properties}. */
    public record TrackingRouteSettings(long csvMaxRows) {
    }

    @Override
    public String getBasePath() {
        return BASE;
    }

    @Override
    public void define(Service service) {
        service.get(BASE, this::search, json);
        service.get(CSV, this::csv);
        service.get(BASE + "/:id", this::detail, json);
    }

    static Map<String, String> parameters(Request request) {
        Map<String, String> parameters = new LinkedHashMap<>();
        for (String name : request.queryParams()) {
            parameters.put(name, request.queryParams(name));
        }
        return parameters;
    }

    static Set<String> allowed(List<String>... lists) {
        Set<String> allowed = new HashSet<>();
        for (List<String> list : lists) {
            allowed.addAll(list);
        }
        return allowed;
    }

    static RuntimeException badRequest(IllegalArgumentException e) {
        return ErrorResponder.builder()
            .statusCode(HttpStatus.BAD_REQUEST_400)
            .type(ErrorResponder.ErrorType.INVALID_ARGUMENT)
            .message(e.getMessage())
            .haltError();
    }

    static RuntimeException serverError(SQLException e) {
        LOGGER.error("Tracking store query failed", e);
        return ErrorResponder.builder()
            .statusCode(HttpStatus.INTERNAL_SERVER_ERROR_500)
            .type(ErrorResponder.ErrorType.SERVER_ERROR)
            .message("The tracking store could not answer: " + e.getMessage())
            .haltError();
    }

    private Object search(Request request, Response response) {
        Map<String, String> parameters = parameters(request);
        SearchCriteria criteria;
        TrackingQuery.Page page;
        try {
            criteria = TrackingQuery.criteria(parameters, allowed(TrackingQuery.CRITERIA, TrackingQuery.PAGING), periods);
            page = TrackingQuery.page(parameters);
        } catch (IllegalArgumentException e) {
            throw badRequest(e);
        }
        try {
            SearchResult result = dao.search(criteria, page.page(), page.pageSize());
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("total", result.total());
            body.put("totalIsLowerBound", result.totalIsLowerBound());
            body.put("page", result.page());
            body.put("pageSize", result.pageSize());
            List<Map<String, Object>> messages = new ArrayList<>();
            result.messages().forEach(m -> messages.add(summary(m)));
            body.put("messages", messages);
            return body;
        } catch (SQLException e) {
            throw serverError(e);
        }
    }

    private Object detail(Request request, Response response) {
        String id = request.params("id");
        try {
            MessageDetail detail = dao.find(id).orElseThrow(() -> ErrorResponder.builder()
                .statusCode(HttpStatus.NOT_FOUND_404)
                .type(ErrorResponder.ErrorType.NOT_FOUND)
                .message("No tracked message with id '" + id + "'")
                .haltError());
            Map<String, Object> message = summary(detail.message());
            TrackedMessage m = detail.message();
            message.put("lastUpdate", m.lastUpdate().toString());
            message.put("messageId", m.messageId().orElse(null));
            message.put("sendingIp", m.sendingIp().orElse(null));
            message.put("helo", m.helo().orElse(null));
            message.put("size", m.size().orElse(null));
            message.put("authUser", m.authUser().orElse(null));
            List<Map<String, Object>> events = new ArrayList<>();
            for (StoredEvent event : detail.events()) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("at", event.at().toString());
                e.put("type", event.type().name());
                e.put("label", event.type().label());
                e.put("info", event.info());
                events.add(e);
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("message", message);
            body.put("events", events);
            return body;
        } catch (SQLException e) {
            throw serverError(e);
        }
    }

    static Map<String, Object> summary(TrackedMessage m) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("trackingId", m.trackingId());
        summary.put("firstSeen", m.firstSeen().toString());
        summary.put("node", m.node());
        summary.put("sender", m.sender());
        summary.put("recipients", m.recipients());
        summary.put("subject", m.subject().orElse(null));
        summary.put("status", m.status().name().toLowerCase(Locale.ROOT));
        summary.put("action", m.action());
        summary.put("outcome", m.outcome().orElse(null));
        summary.put("rejectReason", m.rejectReason().orElse(null));
        summary.put("sendingHost", m.sendingHost().orElse(null));
        summary.put("attachments", m.attachments());
        summary.put("messageSecurity", m.messageSecurity());
        summary.put("transportSecurity", m.tls() ? "tls" : "none");
        summary.put("lastEvent", m.lastEvent().map(Enum::name).orElse(null));
        return summary;
    }

    private Object csv(Request request, Response response) {
        SearchCriteria criteria;
        try {
            criteria = TrackingQuery.criteria(parameters(request), allowed(TrackingQuery.CRITERIA), periods);
        } catch (IllegalArgumentException e) {
            throw badRequest(e);
        }
        response.status(HttpStatus.OK_200);
        response.type("text/csv; charset=UTF-8");
        response.header("Content-Disposition", "attachment; filename=\"tracking.csv\"");
        try {
            Writer writer = new BufferedWriter(new OutputStreamWriter(response.raw().getOutputStream(), StandardCharsets.UTF_8), 64 * 1024);
            CSVPrinter printer = new CSVPrinter(writer, CSVFormat.RFC4180.builder().setHeader(CSV_COLUMNS.toArray(String[]::new)).build());
            long rows = dao.stream(criteria, csvMaxRows, m -> {
                try {
                    printer.printRecord(m.firstSeen().toString(), m.lastEvent().map(t -> t.label()).orElse(""), m.trackingId(),
                        m.messageId().orElse(""), m.node(), m.sender(), String.join(", ", m.recipients()), m.subject().orElse(""),
                        m.status().name().toLowerCase(Locale.ROOT), m.outcome().orElse(""), m.rejectReason().orElse(""),
                        String.join(", ", m.attachments()), m.messageSecurity(), m.tls() ? "TLS" : "None");
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            printer.flush();
            if (rows >= csvMaxRows) {
                LOGGER.warn("Tracking CSV export stopped at the safety cap of {} rows (tracking.csv.maxRows)", csvMaxRows);
            }
            return "";
        } catch (IOException | UncheckedIOException e) {
            LOGGER.info("Tracking CSV export interrupted: {}", e.getMessage());
            return "";
        } catch (SQLException e) {
            throw serverError(e);
        }
    }
}
