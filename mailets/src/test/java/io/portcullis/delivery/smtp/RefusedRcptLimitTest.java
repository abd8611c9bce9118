package io.portcullis.delivery.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.commons.configuration2.BaseConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.junit.jupiter.api.Test;

class RefusedRcptLimitTest {
    static BaseConfiguration configuration(String value) {
        BaseConfiguration configuration = new BaseConfiguration();
        configuration.addProperty(RefusedRcptLimit.PARAMETER, value);
        return configuration;
    }

    @Test
    void initShouldReadTheLimitWhenValid() throws Exception {
        RefusedRcptLimit limit = new RefusedRcptLimit();
        limit.init(configuration(" 25 "));

        assertThat(limit.maxRefused()).isEqualTo(25);
    }

    @Test
    void initShouldKeepTheDefaultWhenNotConfigured() throws Exception {
        RefusedRcptLimit limit = new RefusedRcptLimit();
        limit.init(new BaseConfiguration());

        assertThat(limit.maxRefused()).isEqualTo(RefusedRcptLimit.DEFAULT_MAX_REFUSED);
    }

    @Test
    void initShouldFailNamingTheParameterAndTheValueWhenBad() {
        for (String bad : new String[] {"lots", "0", "-3", "100001"}) {
            assertThatThrownBy(() -> new RefusedRcptLimit().init(configuration(bad)))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("maxRefusedRecipients").hasMessageContaining("'" + bad + "'");
        }
    }
}
