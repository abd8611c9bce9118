package io.portcullis.tracking.route;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.inject.Inject;

import org.apache.james.webadmin.Routes;
import org.apache.james.webadmin.utils.JsonTransformer;

import io.portcullis.tracking.store.Periods;
import io.portcullis.tracking.store.SearchCriteria;
import io.portcullis.tracking.store.SearchResult;
import io.portcullis.tracking.store.TrackedMessage;
import io.portcullis.tracking.store.TrackingDao;
import spark.Request;
import spark.Response;
import spark.Service;

/**
 * The Mail-In log: {@code GET /portcullis/logs/mail-in} lists every message that came in (refusals at
 * the SMTP stage included, with status {@code rejected}), newest first, with its date, sender, recipients,
 * subject and status. It takes the search parameters of {@code /portcullis/tracking} (sender, recipient,
 * period, ...) and pages the same way; each entry links to {@code /portcullis/tracking/{trackingId}}.
 */
public class MailInLogRoutes implements Routes {
    public static final String BASE = "/portcullis/logs/mail-in";

    private final TrackingDao dao;
    private final Periods periods;
    private final JsonTransformer json;

    @Inject
    public MailInLogRoutes(TrackingDao dao, Periods periods, JsonTransformer json) {
        this.dao = dao;
        this.periods = periods;
        this.json = json;
    }

    @Override
    public String getBasePath() {
        return BASE;
    }

    @Override
    public void define(Service service) {
        service.get(BASE, this::list, json);
    }

    private Object list(Request request, Response response) {
        Map<String, String> parameters = TrackingRoutes.parameters(request);
        SearchCriteria criteria;
        TrackingQuery.Page page;
        try {
            criteria = TrackingQuery.criteria(parameters, TrackingRoutes.allowed(TrackingQuery.CRITERIA, TrackingQuery.PAGING), periods);
            page = TrackingQuery.page(parameters);
        } catch (IllegalArgumentException e) {
            throw TrackingRoutes.badRequest(e);
        }
        try {
            SearchResult result = dao.search(criteria, page.page(), page.pageSize());
            List<Map<String, Object>> entries = new ArrayList<>();
            for (TrackedMessage m : result.messages()) {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("date", m.firstSeen().toString());
                entry.put("trackingId", m.trackingId());
                entry.put("sender", m.sender());
                entry.put("recipients", m.recipients());
                entry.put("subject", m.subject().orElse(null));
                entry.put("status", m.status().name().toLowerCase(Locale.ROOT));
                entry.put("rejectReason", m.rejectReason().orElse(null));
                entries.add(entry);
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("total", result.total());
            body.put("totalIsLowerBound", result.totalIsLowerBound());
            body.put("page", result.page());
            body.put("pageSize", result.pageSize());
            body.put("entries", entries);
            return body;
        } catch (SQLException e) {
            throw TrackingRoutes.serverError(e);
        }
    }
}
