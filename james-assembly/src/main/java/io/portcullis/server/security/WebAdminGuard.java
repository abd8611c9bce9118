package io.portcullis.server.security;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import javax.inject.Provider;

import org.apache.james.jwt.JwtTokenVerifier;
import org.apache.james.webadmin.PublicRoutes;
import org.apache.james.webadmin.Routes;
import org.apache.james.webadmin.authentication.AuthenticationFilter;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;

import spark.Request;
import spark.Response;
import spark.Spark;

/**
 * Every WebAdmin request passes here before its route (installed for every path by {@link WebAdminGuardRoutes},
 * and as James's {@link AuthenticationFilter} for each route's base path):
 * <ol>
 *   <li>the {@code Host} must name this server ({@link AllowedHosts}): otherwise 403, which defeats DNS rebinding;</li>
 *   <li>a browser's cross-site request is refused with 403: an {@code Origin} that is not this server's own
 *       origin (or the configured CORS origin), or {@code Sec-Fetch-Site} other than {@code same-origin} / {@code none};</li>
 *   <li>except on public routes ({@link PublicRoutes}, authenticated per link), {@code Authorization: Bearer}
 *       must carry the admin token of {@code var/webadmin.token} or, with {@code jwt.enabled=true}, a valid JWT
 *       with the {@code admin} claim: otherwise 401.</li>
 * </ol>
 * Public routes skip all three: their own per-link token is what authenticates them, and their links may be
 * opened through a public host name. Refusals use WebAdmin's error shape {@code {statusCode, type, message}}.
 */
public class WebAdminGuard implements AuthenticationFilter {
    static final String PASSED = WebAdminGuard.class.getName() + ".passed";
    private static final String BEARER = "Bearer ";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final AllowedHosts allowedHosts;
    private final WebAdminToken token;
    private final Optional<JwtTokenVerifier> jwt;
    private final boolean https;
    private final Optional<String> corsOrigin;
    private final Provider<List<Routes>> routes;
    private volatile List<String> publicBasePaths;

    public WebAdminGuard(AllowedHosts allowedHosts, WebAdminToken token, Optional<JwtTokenVerifier> jwt, boolean https,
                         Optional<String> corsOrigin, Provider<List<Routes>> routes) {
        this.allowedHosts = allowedHosts;
        this.token = token;
        this.jwt = jwt;
        this.https = https;
        this.corsOrigin = corsOrigin.map(WebAdminGuard::normaliseOrigin);
        this.routes = routes;
    }

    @Override
    public void handle(Request request, Response response) {
        if (request.attribute(PASSED) != null || isPublic(request.pathInfo())) {
            return;
        }
        String host = request.headers("Host");
        if (host == null || !allowedHosts.allows(host)) {
            throw refuse(403, "Forbidden", "WebAdmin answers only to its own host names (Host: " + printable(host) + "); "
                + "add a name to PORTCULLIS_WEBADMIN_ALLOWED_HOSTS to reach it under that name");
        }
        boolean corsAllowed = false;
        String origin = request.headers("Origin");
        if (origin != null) {
            String normalised = normaliseOrigin(origin);
            corsAllowed = corsOrigin.filter(normalised::equals).isPresent();
            if (!corsAllowed && !normalised.equals(ownOrigin(host))) {
                throw refuse(403, "Forbidden", "Cross-site request refused (Origin: " + printable(origin) + ")");
            }
        }
        String fetchSite = request.headers("Sec-Fetch-Site");
        if (!corsAllowed && fetchSite != null && !fetchSite.equalsIgnoreCase("same-origin") && !fetchSite.equalsIgnoreCase("none")) {
            throw refuse(403, "Forbidden", "Cross-site request refused (Sec-Fetch-Site: " + printable(fetchSite) + ")");
        }
        if (!(corsOrigin.isPresent() && request.requestMethod().equals("OPTIONS"))) {
            authenticate(request);
        }
        request.attribute(PASSED, Boolean.TRUE);
    }

    private void authenticate(Request request) {
        String authorization = request.headers("Authorization");
        if (authorization == null || !authorization.startsWith(BEARER)) {
            throw refuse(401, "Unauthorized", "WebAdmin needs 'Authorization: Bearer <token>': the admin token is in var/webadmin.token");
        }
        String bearer = authorization.substring(BEARER.length()).strip();
        if (token.matches(bearer)) {
            return;
        }
        if (jwt.isPresent()) {
            Optional<String> login = jwt.get().verifyAndExtractLogin(bearer);
            if (login.isPresent() && jwt.get().hasAttribute("admin", true, bearer)) {
                request.attribute(LOGIN, login.get());
                return;
            }
        }
        throw refuse(401, "Unauthorized", jwt.isPresent()
            ? "The bearer is neither the admin token of var/webadmin.token nor a valid JWT with the admin claim"
            : "The bearer is not the admin token of var/webadmin.token");
    }

    private boolean isPublic(String path) {
        String normalised = path == null ? "" : path;
        for (String base : publicBasePaths()) {
            if (normalised.equals(base) || normalised.startsWith(base + "/")) {
                return true;
            }
        }
        return false;
    }

    private List<String> publicBasePaths() {
        List<String> paths = publicBasePaths;
        if (paths == null) {
            paths = routes.get().stream()
                .filter(PublicRoutes.class::isInstance)
                .filter(route -> !(route instanceof WebAdminGuardRoutes))
                .map(Routes::getBasePath)
                .filter(base -> base != null && base.startsWith("/") && base.length() > 1)
                .collect(ImmutableList.toImmutableList());
            publicBasePaths = paths;
        }
        return paths;
    }

    /** {@code scheme://host[:port]} of this server as the browser sees it through {@code host} (default port left out). */
    private String ownOrigin(String host) {
        return normaliseOrigin((https ? "https://" : "http://") + host);
    }

    static String normaliseOrigin(String origin) {
        try {
            URI uri = new URI(origin.strip());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
            int port = uri.getPort();
            boolean defaultPort = port == -1 || (scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443);
            if (host.isEmpty() || uri.getRawPath() != null && !uri.getRawPath().isEmpty() || uri.getRawQuery() != null) {
                return "opaque:" + origin;
            }
            return scheme + "://" + host + (defaultPort ? "" : ":" + port);
        } catch (URISyntaxException e) {
            return "opaque:" + origin;
        }
    }

    private static String printable(String value) {
        if (value == null) {
            return "none";
        }
        String cut = value.length() > 200 ? value.substring(0, 200) + "…" : value;
        return cut.replaceAll("[\\p{Cntrl}]", "?");
    }

    private static RuntimeException refuse(int status, String type, String message) {
        String body;
        try {
            body = JSON.writeValueAsString(ImmutableMap.of("statusCode", status, "type", type, "message", message));
        } catch (JsonProcessingException e) {
            body = "";
        }
        return Spark.halt(status, body);
    }

}
