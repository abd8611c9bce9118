package io.portcullis.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

class PeersTest {
    private final String before = System.getProperty(Peers.PROPERTY);
    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final PrintStream console = new PrintStream(printed, true, StandardCharsets.UTF_8);

    @AfterEach
    void restore() {
        if (before == null) {
            System.clearProperty(Peers.PROPERTY);
        } else {
            System.setProperty(Peers.PROPERTY, before);
        }
    }

    @Test
    void requireShouldLetTheTestRunWhenThePeerIsPresent() {
        System.setProperty(Peers.PROPERTY, Peers.REQUIRED);
        assertThatCode(() -> Peers.require("SpamdTest", "spamd", true, "apt-get install spamd", console)).doesNotThrowAnyException();
    }

    @Test
    void requireShouldSkipWithTheReasonWhenThePeerIsMissingAndPeersAreOptional() {
        System.setProperty(Peers.PROPERTY, "optional");
        assertThatThrownBy(() -> Peers.require("SpamdTest", "spamd", false, "apt-get install spamd", console))
            .isInstanceOf(TestAbortedException.class)
            .hasMessageContaining("SpamdTest skipped: spamd is not installed (apt-get install spamd)");
        assertThat(printed.toString(StandardCharsets.UTF_8)).startsWith("[WARNING] SpamdTest skipped: spamd is not installed");
    }

    @Test
    void requireShouldFailWhenThePeerIsMissingAndPeersAreRequired() {
        System.setProperty(Peers.PROPERTY, Peers.REQUIRED);
        assertThatThrownBy(() -> Peers.require("SpamdTest", "spamd", false, "apt-get install spamd", console))
            .isInstanceOf(AssertionFailedError.class)
            .hasMessageContaining("spamd is not installed (apt-get install spamd) and -Dportcullis.peers=required");
        assertThat(printed.size()).isZero();
    }

    @Test
    void anUnknownValueOfThePropertyShouldBeRefusedNamingIt() {
        System.setProperty(Peers.PROPERTY, "sometimes");
        assertThatThrownBy(() -> Peers.require("SpamdTest", "spamd", false, "apt-get install spamd", console))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-Dportcullis.peers=sometimes");
    }
}
