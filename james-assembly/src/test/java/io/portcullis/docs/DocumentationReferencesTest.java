package io.portcullis.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.portcullis.delivery.DeliveryConfiguration;
import io.portcullis.store.SettingsKeys;

/**
 * Prose that names code must not drift from it. The manuals ({@code README.md}, {@code mailets/README.md},
 * {@code matchers/README.md}, {@code james-assembly/docs/**}) and the Javadoc of every module are read, and each
 * name they give in code type (a backticked span of the manuals, a {@code {@code …}} or {@code {@link …}} of the
 * Javadoc) must exist:
 *
 * <ul>
 * <li>a class name with a camel hump ({@code TrackingDao}, {@code TrackingDao.SUBJECT_COUNT_CAP}) is a class of the
 * sources or of the test class path (James, the JDK); a name {@code io.portcullis.…} is a class or package of the
 * sources;</li>
 * <li>a path under {@code conf/}, {@code mailets/}, {@code matchers/}, {@code james-assembly/} or {@code .ci/}
 * exists in the repository (build output under {@code target/} excepted); a path under {@code var/}, {@code logs/},
 * {@code bin/}, {@code lib/} or {@code extensions-jars/} is one of the distribution's {@link #RUNTIME_PATHS};</li>
 * <li>a migration file name ({@code V7__….sql}) is a migration of the gateway store;</li>
 * <li>a property key of a settings prefix ({@code tracking.retention}, {@code report.*}) is read by its settings
 * class ({@code SettingsKeys});</li>
 * <li>a file {@code *.md} named anywhere, and the target of every relative Markdown link, exists.</li>
 * </ul>
 */
class DocumentationReferencesTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    /** What the distribution creates or ships at run time (globs), which the manuals may name. */
    static final List<String> RUNTIME_PATHS = List.of(
        "bin/", "bin/portcullis", "lib/", "extensions-jars/", "logs/", "logs/portcullis.log", "logs/QuarantineReports.log",
        "logs/derby.log", "var/", "var/derby", "var/store/activemq", "var/store/activemq/blob-transfer", "var/mail", "var/mail/*", "var/mail/error/", "var/portcullis-store",
        "var/portcullis-delivery-journal", "var/portcullis-delivery-journal/receipts-*.jsonl", "var/webadmin.token");

    /** Names in code type that look like classes and are not: what they are instead. */
    static final Set<String> NOT_CLASSES = Set.of(
        "QuarantineReports", // the logger of the report log (conf/logback.xml)
        "EncryptedPackage", // the stream of an encrypted Office document
        "ActiveMQ"); // the broker's dead-letter queue, ActiveMQ.DLQ

    private static final Pattern BACKTICKED = Pattern.compile("`([^`\n]+)`");
    private static final Pattern JAVADOC = Pattern.compile("/\\*\\*(.*?)\\*/", Pattern.DOTALL);
    private static final Pattern JAVADOC_TAG = Pattern.compile("\\{@(code|link|linkplain)\\s+([^}\\s]+)[^}]*}");
    private static final Pattern CLASS_NAME = Pattern.compile("([A-Z][A-Za-z0-9_]*)(?:[.#][A-Za-z0-9_.#]*)?(?:\\(.*\\))?");
    private static final Pattern CAMEL = Pattern.compile("[A-Z][A-Za-z0-9_]*[a-z][A-Za-z0-9_]*[A-Z][A-Za-z0-9_]*");
    private static final Pattern PORTCULLIS_NAME = Pattern.compile("io\\.portcullis(?:\\.[A-Za-z_][A-Za-z0-9_]*)+(?:\\(.*\\))?");
    private static final Pattern REPO_PATH = Pattern.compile("(?:conf|mailets|matchers|james-assembly|\\.ci)/[^\\s]*");
    private static final Pattern RUNTIME_PATH = Pattern.compile("(?:var|logs|bin|lib|extensions-jars)/[^\\s]*");
    private static final Pattern MIGRATION = Pattern.compile("V[0-9]+(?:_[0-9]+)?__[A-Za-z0-9_]+\\.(?:sql|java)");
    private static final Pattern PROPERTY = Pattern.compile("[a-z]+(?:\\.[A-Za-z]+)+(?:\\.\\*)?");
    private static final Pattern MARKDOWN_FILE = Pattern.compile("(?<![\\w/.-])((?:[\\w.-]+/)*[\\w-]+\\.md)\\b");
    private static final Pattern MARKDOWN_LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
    private static final Pattern DECLARATION = Pattern.compile("\\b(?:class|interface|record|enum)\\s+([A-Z][A-Za-z0-9_]*)");

    static final Set<String> simpleNames = new HashSet<>();
    static final Set<String> qualifiedNames = new HashSet<>();
    static final Set<String> packages = new HashSet<>();
    static final Set<String> markdownNames = new HashSet<>();
    static final Set<String> migrations = new HashSet<>();

    @BeforeAll
    static void indexTheCode() throws IOException {
        try (Stream<Path> files = Files.walk(ROOT)) {
            for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile).filter(DocumentationReferencesTest::inSources)::iterator) {
                String name = file.getFileName().toString();
                if (name.endsWith(".md")) {
                    markdownNames.add(name);
                }
                if (MIGRATION.matcher(name).matches()) {
                    migrations.add(name);
                }
                Path relative = ROOT.relativize(file);
                int java = indexOf(relative, "java");
                if (name.endsWith(".java") && java >= 0) {
                    Path inPackage = relative.subpath(java + 1, relative.getNameCount());
                    String qualified = inPackage.toString().replace('/', '.').replaceAll("\\.java$", "");
                    qualifiedNames.add(qualified);
                    addPackages(qualified.substring(0, Math.max(0, qualified.lastIndexOf('.'))));
                    simpleNames.add(name.replaceAll("\\.java$", ""));
                    Matcher declared = DECLARATION.matcher(Files.readString(file));
                    while (declared.find()) {
                        simpleNames.add(declared.group(1));
                    }
                }
            }
        }
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (entry.endsWith(".jar") && Files.isRegularFile(Path.of(entry))) {
                try (JarFile jar = new JarFile(entry)) {
                    for (Enumeration<JarEntry> entries = jar.entries(); entries.hasMoreElements(); ) {
                        addClassFile(entries.nextElement().getName());
                    }
                }
            }
        }
        FileSystem jrt = FileSystems.getFileSystem(URI.create("jrt:/"));
        try (Stream<Path> modules = Files.walk(jrt.getPath("/modules"))) {
            modules.map(Path::toString).filter(path -> path.endsWith(".class"))
                .forEach(path -> addClassFile(path.substring(path.indexOf('/', "/modules/".length()) + 1)));
        }
    }

    @Test
    void everyNameTheManualsGiveInCodeTypeShouldExist() throws IOException {
        List<String> wrong = new ArrayList<>();
        for (Path manual : manuals()) {
            String text = withoutFencedBlocks(Files.readString(manual));
            Matcher spans = BACKTICKED.matcher(text);
            while (spans.find()) {
                check(spans.group(1).trim()).ifPresent(problem -> wrong.add(ROOT.relativize(manual) + ": `" + spans.group(1) + "` " + problem));
            }
        }
        assertThat(wrong).as("names in the manuals that do not exist").isEmpty();
    }

    @Test
    void everyNameTheJavadocGivesShouldExist() throws IOException {
        List<String> wrong = new ArrayList<>();
        for (Path source : javaSources()) {
            Matcher comments = JAVADOC.matcher(Files.readString(source));
            while (comments.find()) {
                Matcher tags = JAVADOC_TAG.matcher(comments.group(1));
                while (tags.find()) {
                    String name = tags.group(2);
                    if (tags.group(1).equals("code") && !singleToken(tags.group(0))) {
                        continue;
                    }
                    check(name).ifPresent(problem -> wrong.add(ROOT.relativize(source) + ": " + tags.group(0) + " " + problem));
                }
                markdownFiles(comments.group(1), null).forEach(problem -> wrong.add(ROOT.relativize(source) + ": " + problem));
            }
        }
        assertThat(wrong).as("names in the Javadoc that do not exist").isEmpty();
    }

    @Test
    void everyMarkdownFileAndLinkTheManualsNameShouldExist() throws IOException {
        List<String> wrong = new ArrayList<>();
        for (Path manual : manuals()) {
            String text = Files.readString(manual);
            markdownFiles(text, manual).forEach(problem -> wrong.add(ROOT.relativize(manual) + ": " + problem));
            Matcher links = MARKDOWN_LINK.matcher(text);
            while (links.find()) {
                String target = links.group(1).replaceAll("#.*$", "");
                if (target.isEmpty() || target.matches("[a-z]+:.*")) {
                    continue;
                }
                if (!Files.exists(manual.getParent().resolve(target))) {
                    wrong.add(ROOT.relativize(manual) + ": link to " + links.group(1) + " that does not exist");
                }
            }
        }
        assertThat(wrong).as("Markdown files and links of the manuals that do not exist").isEmpty();
    }

    @Test
    void theRulesShouldCatchAWrongName() {
        assertThat(check("TrackingQueryParser")).isPresent();
        assertThat(check("io.portcullis.tracking.NoSuchClass")).isPresent();
        assertThat(check("conf/no-such-file.conf")).isPresent();
        assertThat(check("var/no-such-folder")).isPresent();
        assertThat(check("tracking.retension")).isPresent();
        assertThat(check("V99__nothing.sql")).isPresent();
        assertThat(markdownFiles("see DESIGN.md", null)).isNotEmpty();
        assertThat(check("TrackingDao.SUBJECT_COUNT_CAP")).isEmpty();
        assertThat(check("RemoteDelivery")).isEmpty();
        assertThat(check("io.portcullis.tracking.store.TrackingOutbox")).isEmpty();
        assertThat(check("conf/portcullis.properties")).isEmpty();
        assertThat(check("var/portcullis-delivery-journal/receipts-*.jsonl")).isEmpty();
        assertThat(check("report.*")).isEmpty();
        assertThat(check("domain.acme.example.mode")).isEmpty();
    }

    /** What is wrong with a name, if anything. */
    static Optional<String> check(String name) {
        if (PORTCULLIS_NAME.matcher(name).matches()) {
            String plain = name.replaceAll("\\(.*\\)$", "");
            List<String> segments = List.of(plain.split("\\."));
            int firstClass = 0;
            while (firstClass < segments.size() && !Character.isUpperCase(segments.get(firstClass).charAt(0))) {
                firstClass++;
            }
            if (firstClass == segments.size()) {
                return packages.contains(plain) ? Optional.empty() : Optional.of("is no package of the sources");
            }
            String qualified = String.join(".", segments.subList(0, firstClass + 1));
            return qualifiedNames.contains(qualified) ? Optional.empty() : Optional.of("is no class of the sources");
        }
        Matcher className = CLASS_NAME.matcher(name);
        if (className.matches() && CAMEL.matcher(className.group(1)).matches() && !NOT_CLASSES.contains(className.group(1))) {
            return simpleNames.contains(className.group(1)) ? Optional.empty()
                : Optional.of("names class " + className.group(1) + ", which is neither in the sources nor on the class path");
        }
        if (REPO_PATH.matcher(name).matches()) {
            if (name.contains("/target/") || name.contains("${")) {
                return Optional.empty();
            }
            return exists(name) ? Optional.empty() : Optional.of("is no file or folder of the repository");
        }
        if (RUNTIME_PATH.matcher(name).matches()) {
            boolean listed = RUNTIME_PATHS.stream().anyMatch(path -> path.equals(name)
                || FileSystems.getDefault().getPathMatcher("glob:" + path).matches(Path.of(name)));
            return listed ? Optional.empty() : Optional.of("is not a path of the distribution (RUNTIME_PATHS)");
        }
        if (MIGRATION.matcher(name).matches()) {
            return migrations.contains(name) ? Optional.empty() : Optional.of("is no migration of the gateway store");
        }
        if (PROPERTY.matcher(name).matches() && SettingsKeys.hasKnownPrefix(name)) {
            boolean read = name.endsWith(".*")
                ? Stream.concat(SettingsKeys.keysRead().stream(), DeliveryConfiguration.PLAIN_KEYS.stream())
                    .anyMatch(key -> key.startsWith(name.substring(0, name.length() - 1)))
                : SettingsKeys.isRead(name) || DeliveryConfiguration.isKey(name);
            return read ? Optional.empty() : Optional.of("is no key the settings classes read");
        }
        return Optional.empty();
    }

    private static List<String> markdownFiles(String text, Path manual) {
        List<String> wrong = new ArrayList<>();
        Matcher files = MARKDOWN_FILE.matcher(text);
        while (files.find()) {
            String file = files.group(1);
            Path base = manual == null ? ROOT : manual.getParent();
            if (!Files.exists(base.resolve(file)) && !Files.exists(ROOT.resolve(file)) && !markdownNames.contains(file)) {
                wrong.add(file + " does not exist");
            }
        }
        return wrong;
    }

    private static boolean exists(String path) {
        String plain = path.replaceAll("[,.;:]$", "");
        int wildcard = indexOfAny(plain, "*", "<", "…");
        if (wildcard < 0) {
            return Files.exists(ROOT.resolve(plain));
        }
        String directory = plain.substring(0, plain.lastIndexOf('/', wildcard) + 1);
        if (!Files.isDirectory(ROOT.resolve(directory))) {
            return false;
        }
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + plain.replace("…", "*").replaceAll("<[^>]*>", "*"));
        try (Stream<Path> files = Files.walk(ROOT.resolve(directory))) {
            return files.map(ROOT::relativize).anyMatch(matcher::matches);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int indexOfAny(String text, String... needles) {
        return Stream.of(needles).mapToInt(text::indexOf).filter(i -> i >= 0).min().orElse(-1);
    }

    private static boolean singleToken(String tag) {
        return tag.replaceFirst("^\\{@code\\s+", "").replaceFirst("}$", "").trim().matches("\\S+");
    }

    private static String withoutFencedBlocks(String text) {
        return text.replaceAll("(?s)```.*?```", "");
    }

    private static List<Path> manuals() throws IOException {
        List<Path> manuals = new ArrayList<>(List.of(ROOT.resolve("README.md"), ROOT.resolve("mailets/README.md"),
            ROOT.resolve("matchers/README.md")));
        try (Stream<Path> docs = Files.walk(ROOT.resolve("james-assembly/docs"))) {
            docs.filter(path -> path.toString().endsWith(".md")).sorted().forEach(manuals::add);
        }
        return manuals;
    }

    private static List<Path> javaSources() throws IOException {
        try (Stream<Path> files = Files.walk(ROOT)) {
            return files.filter(path -> path.toString().endsWith(".java")).filter(DocumentationReferencesTest::inSources).sorted().toList();
        }
    }

    private static boolean inSources(Path path) {
        Path relative = ROOT.relativize(path);
        String first = relative.getName(0).toString();
        return !first.startsWith(".") && !relative.toString().contains("/target/") && !relative.toString().startsWith("target/")
            && !relative.toString().contains("/node_modules/");
    }

    private static int indexOf(Path path, String name) {
        for (int i = 0; i < path.getNameCount(); i++) {
            if (path.getName(i).toString().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    private static void addPackages(String packageName) {
        String current = packageName;
        while (!current.isEmpty()) {
            packages.add(current);
            int dot = current.lastIndexOf('.');
            current = dot < 0 ? "" : current.substring(0, dot);
        }
    }

    private static void addClassFile(String entry) {
        if (!entry.endsWith(".class") || entry.contains("-")) {
            return;
        }
        String qualified = entry.substring(0, entry.length() - ".class".length()).replace('/', '.');
        String simple = qualified.substring(qualified.lastIndexOf('.') + 1);
        for (String part : simple.split("\\$")) {
            simpleNames.add(part);
        }
        qualifiedNames.add(qualified.replace('$', '.'));
    }
}
