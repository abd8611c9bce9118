package io.portcullis.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.portcullis.checks.CheckRegistry;
import io.portcullis.config.ParameterDocs;

/** Each check of ScoreFilter has its own subsection in README.md with its exact parameter table. */
class ScoreFilterDocumentationTest {
    static String expectedSection(CheckDefinition definition) {
        return "#### check=" + definition.name() + "\n\n" + definition.summary() + ".\n\n" + ParameterDocs.markdownTable(definition.parameters());
    }

    @Test
    void everyCheckShouldBeDocumentedWithItsOwnParameterTable() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        List<String> missing = new ArrayList<>();
        StringBuilder expected = new StringBuilder();
        for (CheckDefinition definition : CheckRegistry.ALL) {
            String section = expectedSection(definition);
            expected.append(section).append('\n');
            if (!readme.contains(section)) {
                missing.add(definition.name());
            }
        }
        Files.writeString(Path.of("target/scorefilter-checks.md"), ParameterDocs.markdownTable(ScoreFilter.PARAMETERS) + "\n" + expected);
        assertThat(missing).as("checks whose README subsection differs (expected text in target/scorefilter-checks.md)").isEmpty();
    }
}
