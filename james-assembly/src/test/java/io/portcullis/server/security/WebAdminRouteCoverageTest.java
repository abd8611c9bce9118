package io.portcullis.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import javax.inject.Inject;
import javax.inject.Named;

import org.apache.james.utils.GuiceProbe;
import org.apache.james.webadmin.PublicRoutes;
import org.apache.james.webadmin.Routes;
import org.apache.james.webadmin.WebAdminServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.inject.Module;
import com.google.inject.multibindings.Multibinder;

import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.SignatureAlgorithm;
import io.portcullis.server.PortcullisTestServer;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import spark.Service;
import spark.routematch.RouteMatch;

/**
 * Walks every route the running WebAdmin has registered (Spark's own route table, so a route defined outside
 * its {@code Routes}' base path is walked too) and sends each method + path, parameters filled in, without a
 * token: every route that is not public must answer 401. Once with the admin token scheme alone, once with
 * {@code jwt.enabled=true} (a key pair made here, the public key in conf/).
 */
class WebAdminRouteCoverageTest {
    private static final Set<String> METHODS = Set.of("get", "post", "put", "delete", "patch", "head", "options");

    @TempDir
    Path dir;

    /** The WebAdmin server and its route list, from the injector. */
    public static class RoutesProbe implements GuiceProbe {
        private final WebAdminServer server;
        private final List<Routes> routes;

        @Inject
        RoutesProbe(WebAdminServer server, @Named("webAdminRoutes") List<Routes> routes) {
            this.server = server;
            this.routes = routes;
        }

        List<RouteMatch> registered() throws ReflectiveOperationException {
            Field field = WebAdminServer.class.getDeclaredField("service");
            field.setAccessible(true);
            return ((Service) field.get(server)).routes();
        }

        List<String> publicBasePaths() {
            return routes.stream().filter(PublicRoutes.class::isInstance).filter(r -> !(r instanceof WebAdminGuardRoutes))
                .map(Routes::getBasePath).collect(Collectors.toList());
        }
    }

    private static final Module PROBE = binder -> Multibinder.newSetBinder(binder, GuiceProbe.class).addBinding().to(RoutesProbe.class);

    @Test
    void everyNonPublicRouteShouldAnswer401WithoutTheAdminToken() throws Exception {
        PortcullisTestServer server = PortcullisTestServer.prepare(dir.resolve("token"), Map.of()).withModules(PROBE);
        try (server) {
            server.start();

            List<String> unprotected = walk(server, null);

            assertThat(unprotected).isEmpty();
            RestAssured.given().baseUri("http://127.0.0.1").port(server.webAdminPort()).header("Authorization", "Bearer " + server.adminToken())
                .get("/portcullis/tracking.csv").then().statusCode(200);
        }
    }

    @Test
    void everyNonPublicRouteShouldAnswer401WithoutAValidTokenWhenJwtIsEnabled() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair keys = generator.generateKeyPair();
        PortcullisTestServer server = PortcullisTestServer.prepare(dir.resolve("jwt"), Map.of()).withModules(PROBE);
        Path conf = server.workingDirectory().resolve("conf");
        Files.writeString(conf.resolve("jwt_publickey"), "-----BEGIN PUBLIC KEY-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(keys.getPublic().getEncoded())
            + "\n-----END PUBLIC KEY-----\n");
        Path properties = conf.resolve("webadmin.properties");
        String original = Files.readString(properties);
        assertThat(original).contains("jwt.enabled=false");
        Files.writeString(properties, original.replace("jwt.enabled=false", "jwt.enabled=true\njwt.publickeypem.url=file://conf/jwt_publickey"));
        String admin = Jwts.builder().setSubject("ops@portcullis.test").claim("admin", true).signWith(keys.getPrivate(), SignatureAlgorithm.RS256).compact();
        String notAdmin = Jwts.builder().setSubject("user@portcullis.test").claim("admin", false).signWith(keys.getPrivate(), SignatureAlgorithm.RS256).compact();
        KeyPairGenerator other = KeyPairGenerator.getInstance("RSA");
        other.initialize(2048);
        String forged = Jwts.builder().setSubject("ops@portcullis.test").claim("admin", true)
            .signWith(other.generateKeyPair().getPrivate(), SignatureAlgorithm.RS256).compact();
        try (server) {
            server.start();

            assertThat(walk(server, null)).isEmpty();
            assertThat(walk(server, notAdmin)).isEmpty();
            assertThat(walk(server, forged)).isEmpty();
            for (String bearer : new String[] {admin, server.adminToken()}) {
                RestAssured.given().baseUri("http://127.0.0.1").port(server.webAdminPort()).header("Authorization", "Bearer " + bearer)
                    .get("/portcullis/tracking.csv").then().statusCode(200);
                RestAssured.given().baseUri("http://127.0.0.1").port(server.webAdminPort()).header("Authorization", "Bearer " + bearer)
                    .get("/domains").then().statusCode(200);
            }
        }
    }

    /** The routes (method + path) that answered anything but 401 to {@code bearer} (none sent when null). */
    private static List<String> walk(PortcullisTestServer server, String bearer) throws Exception {
        RoutesProbe probe = server.guice().getProbe(RoutesProbe.class);
        List<String> publicPaths = probe.publicBasePaths();
        assertThat(publicPaths).as("public routes (reachable without the token)").containsExactlyInAnyOrder("/portcullis/public/report-action", "/healthcheck");
        Set<String> walked = new TreeSet<>();
        List<String> unprotected = new ArrayList<>();
        for (RouteMatch route : probe.registered()) {
            String method = route.getHttpMethod().name().toLowerCase(Locale.ROOT);
            if (!METHODS.contains(method)) {
                continue;
            }
            String path = concrete(route.getMatchUri());
            if (publicPaths.stream().anyMatch(base -> path.equals(base) || path.startsWith(base + "/")) || !walked.add(method + " " + path)) {
                continue;
            }
            var request = RestAssured.given().baseUri("http://127.0.0.1").port(server.webAdminPort()).body("{}");
            if (bearer != null) {
                request = request.header("Authorization", "Bearer " + bearer);
            }
            Response response = request.request(method.toUpperCase(Locale.ROOT), path);
            if (response.statusCode() != 401) {
                unprotected.add(method.toUpperCase(Locale.ROOT) + " " + path + " -> " + response.statusCode());
            }
        }
        assertThat(walked).as("routes walked").hasSizeGreaterThan(40)
            .contains("get /portcullis/tracking.csv", "get /portcullis/quarantine", "post /portcullis/reports", "get /domains");
        return unprotected;
    }

    /** {@code /users/:username} → {@code /users/p-username}; a wildcard → {@code w}. */
    private static String concrete(String matchUri) {
        StringBuilder path = new StringBuilder();
        for (String segment : matchUri.split("/")) {
            if (segment.isEmpty()) {
                continue;
            }
            path.append('/');
            if (segment.startsWith(":")) {
                path.append("p-").append(segment.substring(1));
            } else if (segment.equals("*")) {
                path.append('w');
            } else {
                path.append(segment);
            }
        }
        return path.length() == 0 ? "/" : path.toString();
    }
}
