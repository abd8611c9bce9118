package io.portcullis.server.security;

import java.net.InetAddress;
import java.net.UnknownHostException;

import javax.inject.Inject;

import org.apache.james.lifecycle.api.StartUpCheck;
import org.apache.james.webadmin.WebAdminConfiguration;
import org.apache.james.webadmin.authentication.AuthenticationFilter;
import org.apache.james.webadmin.authentication.NoAuthenticationFilter;

/**
 * Refuses to start when WebAdmin (which can create users, read mail repositories and release quarantined
 * mail) listens beyond loopback without authentication. Loopback without authentication is allowed: only
 * local users of the machine reach it.
 */
public class WebAdminExposureCheck implements StartUpCheck {
    public static final String CHECK_NAME = "PortcullisWebAdminExposure";

    private final WebAdminConfiguration configuration;
    private final AuthenticationFilter authenticationFilter;

    @Inject
    public WebAdminExposureCheck(WebAdminConfiguration configuration, AuthenticationFilter authenticationFilter) {
        this.configuration = configuration;
        this.authenticationFilter = authenticationFilter;
    }

    @Override
    public CheckResult check() {
        if (!configuration.isEnabled() || !(authenticationFilter instanceof NoAuthenticationFilter) || isLoopback(configuration.getHost())) {
            return CheckResult.builder().checkName(CHECK_NAME).resultType(ResultType.GOOD).build();
        }
        return CheckResult.builder()
            .checkName(CHECK_NAME)
            .resultType(ResultType.BAD)
            .description("WebAdmin would listen on " + configuration.getHost() + " without authentication. Either keep it on "
                + "loopback (PORTCULLIS_WEBADMIN_HOST=127.0.0.1) or protect it: jwt.enabled=true and jwt.publickeypem.url in "
                + "conf/webadmin.properties")
            .build();
    }

    static boolean isLoopback(String host) {
        try {
            InetAddress[] addresses = InetAddress.getAllByName(host);
            for (InetAddress address : addresses) {
                if (!address.isLoopbackAddress()) {
                    return false;
                }
            }
            return addresses.length > 0;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    @Override
    public String checkName() {
        return CHECK_NAME;
    }
}
