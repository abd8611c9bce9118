package io.portcullis.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReloadingFileTest {
    @TempDir
    Path dir;

    private static List<String> strict(String name, List<String> lines) {
        if (lines.stream().anyMatch(line -> line.contains("bad"))) {
            throw new IllegalArgumentException(name + ": bad line");
        }
        return lines;
    }

    private static void write(Path file, String content, int secondsFromNow) throws Exception {
        Files.writeString(file, content);
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(secondsFromNow)));
    }

    @Test
    void currentShouldRereadAChangedFile() throws Exception {
        Path file = dir.resolve("rules.conf");
        write(file, "one", 0);
        ReloadingFile<List<String>> reloading = ReloadingFile.load(file.toFile(), "rules", ReloadingFileTest::strict);

        write(file, "two", 10);

        assertThat(reloading.current()).containsExactly("two");
        assertThat(reloading.reloadError()).isEmpty();
    }

    @Test
    void currentShouldKeepThePreviousContentAndSayWhyWhenAChangeDoesNotParse() throws Exception {
        Path file = dir.resolve("rules.conf");
        write(file, "one", 0);
        ReloadingFile<List<String>> reloading = ReloadingFile.load(file.toFile(), "rules", ReloadingFileTest::strict);

        write(file, "bad", 10);

        assertThat(reloading.current()).containsExactly("one");
        assertThat(reloading.reloadError()).contains("rules.conf: bad line");

        write(file, "three", 20);

        assertThat(reloading.current()).containsExactly("three");
        assertThat(reloading.reloadError()).isEmpty();
    }

    @Test
    void loadShouldFailOnABadFileAtStartUp() throws Exception {
        Path file = dir.resolve("rules.conf");
        write(file, "bad", 0);

        assertThatThrownBy(() -> ReloadingFile.load(file.toFile(), "rules", ReloadingFileTest::strict))
            .isInstanceOf(IllegalArgumentException.class);
    }
}
