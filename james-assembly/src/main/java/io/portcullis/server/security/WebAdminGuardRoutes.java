package io.portcullis.server.security;

import javax.inject.Inject;

import org.apache.james.webadmin.PublicRoutes;
import org.apache.james.webadmin.authentication.AuthenticationFilter;

import spark.Service;

/**
 * Installs {@link WebAdminGuard} in front of every WebAdmin path. James applies its authentication filter only
 * to each route's base path, so a route defined outside its base path (or a path no route claims) would be
 * unauthenticated; a filter on every path closes that. Declared a {@link PublicRoutes} so that James does not
 * add its own per-base-path filter for it; it defines no route.
 */
public class WebAdminGuardRoutes implements PublicRoutes {
    private final AuthenticationFilter guard;

    @Inject
    public WebAdminGuardRoutes(AuthenticationFilter guard) {
        this.guard = guard;
    }

    @Override
    public String getBasePath() {
        return "/";
    }

    @Override
    public void define(Service service) {
        service.before(guard);
    }
}
