package io.portcullis.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import org.apache.mailet.Matcher;
import org.junit.jupiter.api.Test;

import io.portcullis.config.ParameterDocs;

class MatcherDocumentationTest {
    @Test
    void everyMatcherShouldBeDocumentedInTheReadmeExactlyAsDeclaredInCode() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        List<Class<?>> matchers = ParameterDocs.componentsIn(Path.of("target/classes"), Matcher.class);

        List<String> problems = matchers.stream()
            .flatMap(matcher -> ParameterDocs.problems(matcher, readme).stream())
            .collect(Collectors.toList());

        assertThat(problems).isEmpty();
    }
}
