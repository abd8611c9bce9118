package io.portcullis.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.james.webadmin.FixedPortSupplier;
import org.apache.james.webadmin.TlsConfiguration;
import org.apache.james.webadmin.WebAdminConfiguration;
import org.junit.jupiter.api.Test;

class WebAdminExposureCheckTest {
    private static WebAdminConfiguration on(String host) {
        return WebAdminConfiguration.builder().enabled().port(new FixedPortSupplier(8000)).host(host).build();
    }

    private static WebAdminConfiguration httpsOn(String host) {
        return WebAdminConfiguration.builder().enabled().port(new FixedPortSupplier(8000)).host(host)
            .tls(TlsConfiguration.builder().selfSigned("conf/keystore", "secret").build()).build();
    }

    @Test
    void checkShouldFailWhenWebAdminListensOnAllInterfacesOverPlainHttp() {
        WebAdminExposureCheck check = new WebAdminExposureCheck(on("0.0.0.0"));

        assertThat(check.check().isBad()).isTrue();
        assertThat(check.check().getDescription()).hasValueSatisfying(d -> assertThat(d).contains("0.0.0.0").contains("https.enabled=true"));
    }

    @Test
    void checkShouldPassOnLoopbackOverPlainHttp() {
        assertThat(new WebAdminExposureCheck(on("127.0.0.1")).check().isGood()).isTrue();
        assertThat(new WebAdminExposureCheck(on("::1")).check().isGood()).isTrue();
    }

    @Test
    void checkShouldPassBeyondLoopbackOverHttps() {
        assertThat(new WebAdminExposureCheck(httpsOn("0.0.0.0")).check().isGood()).isTrue();
    }
}
