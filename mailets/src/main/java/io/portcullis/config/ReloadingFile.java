package io.portcullis.config;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A configuration file parsed once at start-up and again whenever it changes on disk. A change that does not
 * parse keeps the previous content and is reported by {@link #reloadError()} until the file is fixed, so the
 * users of the file can say so on every message instead of silently running without it.
 *
 * @param <T> what the file parses to
 */
public final class ReloadingFile<T> {
    private static final Logger LOGGER = LoggerFactory.getLogger(ReloadingFile.class);

    private final File file;
    private final String what;
    private final BiFunction<String, List<String>, T> parser;
    private volatile long loadedModified;
    private volatile T content;
    private volatile String reloadError;

    private ReloadingFile(File file, String what, BiFunction<String, List<String>, T> parser) {
        this.file = file;
        this.what = what;
        this.parser = parser;
    }

    /**
     * Reads and parses {@code file} now; {@code parser} gets the file name and its lines and throws
     * {@link IllegalArgumentException} on a bad line.
     */
    public static <T> ReloadingFile<T> load(File file, String what, BiFunction<String, List<String>, T> parser) throws IOException {
        ReloadingFile<T> reloading = new ReloadingFile<>(file, what, parser);
        reloading.read();
        return reloading;
    }

    private void read() throws IOException {
        long modified = file.lastModified();
        content = parser.apply(file.getName(), Files.readAllLines(file.toPath(), StandardCharsets.UTF_8));
        loadedModified = modified;
        reloadError = null;
    }

    /** The current content, re-read first when the file changed since the last read. */
    public T current() {
        long modified = file.lastModified();
        if (modified != loadedModified) {
            synchronized (this) {
                if (modified != loadedModified) {
                    try {
                        read();
                        LOGGER.info("Reloaded {} from {}", what, file);
                    } catch (IOException | IllegalArgumentException e) {
                        loadedModified = modified;
                        reloadError = e.getMessage();
                        LOGGER.error("Keeping the previous {}: {}", what, e.getMessage());
                    }
                }
            }
        }
        return content;
    }

    /** Why the last change of the file could not be used, while the previous content still is. */
    public Optional<String> reloadError() {
        return Optional.ofNullable(reloadError);
    }
}
