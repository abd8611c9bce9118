package io.portcullis.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.james.webadmin.FixedPortSupplier;
import org.apache.james.webadmin.WebAdminConfiguration;
import org.apache.james.webadmin.authentication.AuthenticationFilter;
import org.apache.james.webadmin.authentication.NoAuthenticationFilter;
import org.junit.jupiter.api.Test;

class WebAdminExposureCheckTest {
    private static WebAdminConfiguration on(String host) {
        return WebAdminConfiguration.builder().enabled().port(new FixedPortSupplier(8000)).host(host).build();
    }

    @Test
    void checkShouldFailWhenWebAdminListensOnAllInterfacesWithoutAuthentication() {
        WebAdminExposureCheck check = new WebAdminExposureCheck(on("0.0.0.0"), new NoAuthenticationFilter());

        assertThat(check.check().isBad()).isTrue();
        assertThat(check.check().getDescription()).hasValueSatisfying(d -> assertThat(d).contains("0.0.0.0").contains("jwt.enabled=true"));
    }

    @Test
    void checkShouldPassOnLoopbackWithoutAuthentication() {
        assertThat(new WebAdminExposureCheck(on("127.0.0.1"), new NoAuthenticationFilter()).check().isGood()).isTrue();
        assertThat(new WebAdminExposureCheck(on("::1"), new NoAuthenticationFilter()).check().isGood()).isTrue();
    }

    @Test
    void checkShouldPassBeyondLoopbackWhenAuthenticated() {
        AuthenticationFilter jwt = (request, response) -> { };

        assertThat(new WebAdminExposureCheck(on("0.0.0.0"), jwt).check().isGood()).isTrue();
    }
}
