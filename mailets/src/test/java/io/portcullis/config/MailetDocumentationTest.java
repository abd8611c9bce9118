package io.portcullis.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import org.apache.mailet.Mailet;
import org.junit.jupiter.api.Test;

class MailetDocumentationTest {
    @Test
    void everyMailetShouldBeDocumentedInTheReadmeExactlyAsDeclaredInCode() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        List<Class<?>> mailets = ParameterDocs.componentsIn(Path.of("target/classes"), Mailet.class);

        List<String> problems = mailets.stream()
            .flatMap(mailet -> ParameterDocs.problems(mailet, readme).stream())
            .collect(Collectors.toList());

        assertThat(problems).isEmpty();
    }
}
