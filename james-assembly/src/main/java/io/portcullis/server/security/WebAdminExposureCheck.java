package io.portcullis.server.security;

import java.net.InetAddress;
import java.net.UnknownHostException;

import javax.inject.Inject;

import org.apache.james.lifecycle.api.StartUpCheck;
import org.apache.james.webadmin.WebAdminConfiguration;

/**
 * Refuses to start when WebAdmin (which can create users, read mail repositories and release quarantined
 * mail) listens beyond loopback over plain HTTP. Every request needs a bearer credential (the admin token of
 * {@code var/webadmin.token}, or a JWT), and over plain HTTP anyone on the network path could read it and
 * replay it: beyond loopback, WebAdmin must speak HTTPS ({@code https.enabled=true}).
 */
public class WebAdminExposureCheck implements StartUpCheck {
    public static final String CHECK_NAME = "PortcullisWebAdminExposure";

    private final WebAdminConfiguration configuration;

    @Inject
    public WebAdminExposureCheck(WebAdminConfiguration configuration) {
        this.configuration = configuration;
    }

    @Override
    public CheckResult check() {
        if (!configuration.isEnabled() || configuration.isTlsEnabled() || isLoopback(configuration.getHost())) {
            return CheckResult.builder().checkName(CHECK_NAME).resultType(ResultType.GOOD).build();
        }
        return CheckResult.builder()
            .checkName(CHECK_NAME)
            .resultType(ResultType.BAD)
            .description("WebAdmin would listen on " + configuration.getHost() + " over plain HTTP, where its bearer token (or JWT) "
                + "can be read on the network. Either keep it on loopback (PORTCULLIS_WEBADMIN_HOST=127.0.0.1) or serve it over "
                + "HTTPS: https.enabled=true with https.keystore and https.password in conf/webadmin.properties")
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
