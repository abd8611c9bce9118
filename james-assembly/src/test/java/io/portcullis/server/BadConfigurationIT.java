package io.portcullis.server;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A misconfigured Portcullis mailet stops the packaged server at start-up with a message naming the
 * parameter and the value, instead of running with a silent default.
 */
class BadConfigurationIT {
    @TempDir
    Path dir;

    @Test
    void serverShouldRefuseToStartWhenAMailetParameterIsInvalid() throws Exception {
        DistributionProcess server = DistributionProcess.prepare(dir.resolve("home"), Map.of());
        Path mailetcontainer = server.home().resolve("conf/mailetcontainer.xml");
        String content = Files.readString(mailetcontainer);
        Files.writeString(mailetcontainer, content.replace("<addHeader>false</addHeader>", "<addHeader>maybe</addHeader>"));

        try (server) {
            assertThatThrownBy(server::start)
                .hasMessageContaining("Server exited with 1")
                .hasMessageContaining("parameter 'addHeader' has invalid value 'maybe': expected true or false");
        }
    }

    @Test
    void serverShouldRefuseToStartWhenAMailetParameterIsUnknown() throws Exception {
        DistributionProcess server = DistributionProcess.prepare(dir.resolve("home"), Map.of());
        Path mailetcontainer = server.home().resolve("conf/mailetcontainer.xml");
        String content = Files.readString(mailetcontainer);
        Files.writeString(mailetcontainer, content.replace("<addHeader>false</addHeader>", "<addHeadr>true</addHeadr>"));

        try (server) {
            assertThatThrownBy(server::start)
                .hasMessageContaining("Server exited with 1")
                .hasMessageContaining("unknown parameter(s) [addHeadr]");
        }
    }
}
