package io.portcullis.report.route;

import javax.inject.Inject;

import org.apache.james.webadmin.PublicRoutes;

import io.portcullis.report.ReportService;
import io.portcullis.report.render.ReportRenderer;
import spark.Request;
import spark.Response;
import spark.Service;

/**
 * The report links, outside WebAdmin authentication: {@code GET /portcullis/public/report-action?token=...}
 * shows a confirmation page and changes nothing (link scanners fetch every URL); only the POST of that page's
 * form acts. A tampered or malformed token answers 400, an expired, used or stale one 410, with a page saying so.
 */
public class ReportActionRoutes implements PublicRoutes {
    private final ReportService service;

    @Inject
    public ReportActionRoutes(ReportService service) {
        this.service = service;
    }

    @Override
    public String getBasePath() {
        return ReportService.ROUTE;
    }

    @Override
    public void define(Service spark) {
        spark.get(ReportService.ROUTE, this::confirm);
        spark.post(ReportService.ROUTE, this::act);
    }

    private String confirm(Request request, Response response) {
        html(response);
        String token = token(request);
        try {
            ReportService.LinkView view = service.inspect(token);
            String what = switch (view.claims().action()) {
                case ReportService.RELEASE -> "Release this message to your mailbox?";
                case ReportService.REQUEST_RELEASE -> "Ask the administrator to release this message? Messages held in the "
                    + view.entry().message().area() + " area can only be released by an administrator.";
                case ReportService.DELETE -> "Delete this message for good?";
                default -> "Always allow mail from " + view.entry().message().sender() + " to you?";
            };
            String button = switch (view.claims().action()) {
                case ReportService.RELEASE -> "Release";
                case ReportService.REQUEST_RELEASE -> "Request release";
                case ReportService.DELETE -> "Delete";
                default -> "Always allow";
            };
            return page("Confirm", "<p>" + esc(what) + "</p><table>"
                + "<tr><td>From</td><td>" + esc(view.entry().message().sender()) + "</td></tr>"
                + "<tr><td>Subject</td><td>" + esc(view.entry().message().subject().orElse("(no subject)")) + "</td></tr>"
                + "<tr><td>Area</td><td>" + esc(view.entry().message().area()) + "</td></tr></table>"
                + "<form method=\"post\" action=\"" + esc(ReportService.ROUTE) + "\">"
                + "<input type=\"hidden\" name=\"token\" value=\"" + esc(token) + "\">"
                + "<button type=\"submit\">" + esc(button) + "</button></form>");
        } catch (ReportService.LinkException e) {
            response.status(e.status());
            return page("Link not usable", "<p>" + esc(e.getMessage()) + "</p><p>Nothing was changed.</p>");
        }
    }

    private String act(Request request, Response response) {
        html(response);
        try {
            return page("Done", "<p>" + esc(service.act(token(request))) + "</p>");
        } catch (ReportService.LinkException e) {
            response.status(e.status());
            return page("Link not usable", "<p>" + esc(e.getMessage()) + "</p><p>Nothing was changed.</p>");
        } catch (RuntimeException e) {
            response.status(503);
            return page("Not available", "<p>The quarantine is not available right now, please try again later.</p>");
        }
    }

    private static String token(Request request) {
        String token = request.queryParams("token");
        if (token == null && request.body() != null) {
            for (String pair : request.body().split("&")) {
                if (pair.startsWith("token=")) {
                    token = java.net.URLDecoder.decode(pair.substring(6), java.nio.charset.StandardCharsets.UTF_8);
                }
            }
        }
        return token == null ? "" : token.trim();
    }

    private static void html(Response response) {
        response.type("text/html; charset=utf-8");
        response.header("Cache-Control", "no-store");
        response.header("Referrer-Policy", "no-referrer");
        response.header("X-Robots-Tag", "noindex");
    }

    private static String page(String title, String body) {
        return "<!DOCTYPE html><html><head><meta charset=\"UTF-8\"><meta name=\"robots\" content=\"noindex\"><title>"
            + esc(title) + "</title></head><body><h1>" + esc(title) + "</h1>" + body + "</body></html>";
    }

    private static String esc(String value) {
        return ReportRenderer.escape(value);
    }
}
