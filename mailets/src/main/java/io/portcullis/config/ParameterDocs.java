package io.portcullis.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Renders a component's parameter list as the Markdown table used in the modules' README files, and checks a
 * README against the code. Every mailet and matcher declares {@code public static final List<Parameter>
 * PARAMETERS}; a test in each module runs {@link #problems(Class, String)} over all of them, so the user
 * documentation and the code cannot drift apart.
 */
public final class ParameterDocs {
    public static final String FIELD = "PARAMETERS";

    private ParameterDocs() {
    }

    public static String markdownTable(List<Parameter> parameters) {
        String header = "| parameter | default | description |\n|---|---|---|\n";
        return header + parameters.stream()
            .map(p -> "| `" + p.name() + "` | " + p.defaultForDocs() + " | " + p.description().replace("|", "\\|") + " |")
            .collect(Collectors.joining("\n")) + "\n";
    }

    @SuppressWarnings("unchecked")
    public static List<Parameter> parametersOf(Class<?> component) {
        try {
            Field field = component.getField(FIELD);
            if (!Modifier.isStatic(field.getModifiers())) {
                throw new IllegalStateException(component.getName() + "." + FIELD + " must be static");
            }
            return (List<Parameter>) field.get(null);
        } catch (NoSuchFieldException | IllegalAccessException e) {
            throw new IllegalStateException(component.getName() + " must declare public static final List<Parameter> " + FIELD, e);
        }
    }

    /**
     * What is wrong with the documentation of {@code component} in {@code readme}: it needs a section headed
     * {@code ### SimpleName} holding the purpose, where it goes in the flow, the exact parameter table and an
     * example ({@code <mailet} or {@code <matcher} / {@code match=} XML).
     */
    public static List<String> problems(Class<?> component, String readme) {
        List<String> problems = new ArrayList<>();
        String name = component.getSimpleName();
        String heading = "### " + name + "\n";
        int start = readme.indexOf(heading);
        if (start < 0) {
            problems.add(name + ": no section '### " + name + "' in README");
            return problems;
        }
        int end = readme.indexOf("\n### ", start + heading.length());
        int nextChapter = readme.indexOf("\n## ", start + heading.length());
        if (end < 0 || (nextChapter >= 0 && nextChapter < end)) {
            end = nextChapter;
        }
        String section = end < 0 ? readme.substring(start) : readme.substring(start, end);
        List<Parameter> parameters;
        try {
            parameters = parametersOf(component);
        } catch (IllegalStateException e) {
            problems.add(e.getMessage());
            return problems;
        }
        String table = markdownTable(parameters);
        if (!section.contains(table)) {
            problems.add(name + ": README table differs from the code; expected:\n" + table);
        }
        if (!section.contains("**Where it goes:**")) {
            problems.add(name + ": README section lacks '**Where it goes:**'");
        }
        if (!section.contains(component.getName())) {
            problems.add(name + ": README section lacks an example naming " + component.getName());
        }
        return problems;
    }

    /**
     * The concrete public classes under {@code classesDir} (a Maven {@code target/classes}) assignable to
     * {@code type}, e.g. every {@code org.apache.mailet.Mailet} of a module: the set the documentation must cover.
     */
    public static List<Class<?>> componentsIn(Path classesDir, Class<?> type) {
        try (Stream<Path> files = Files.walk(classesDir)) {
            List<Class<?>> result = new ArrayList<>();
            for (Path file : files.filter(f -> f.toString().endsWith(".class") && !f.getFileName().toString().contains("$"))
                    .collect(Collectors.toList())) {
                String className = classesDir.relativize(file).toString()
                    .replace(file.getFileSystem().getSeparator(), ".")
                    .replaceAll("\\.class$", "");
                Class<?> clazz = Class.forName(className, false, ParameterDocs.class.getClassLoader());
                if (type.isAssignableFrom(clazz) && !Modifier.isAbstract(clazz.getModifiers()) && !clazz.isInterface()
                        && Modifier.isPublic(clazz.getModifiers())) {
                    result.add(clazz);
                }
            }
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }
}
