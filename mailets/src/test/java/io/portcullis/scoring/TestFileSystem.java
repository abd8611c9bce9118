package io.portcullis.scoring;

import java.io.File;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.james.filesystem.api.FileSystem;

/** James's {@link FileSystem} over a test directory: {@code file://conf/x} is {@code base/conf/x}. */
public record TestFileSystem(Path base) implements FileSystem {
    @Override
    public InputStream getResource(String url) throws IOException {
        return Files.newInputStream(getFile(url).toPath());
    }

    @Override
    public File getFile(String url) throws FileNotFoundException {
        String path = url;
        if (path.startsWith("file://")) {
            path = path.substring("file://".length());
        }
        File file = path.startsWith("/") ? new File(path) : base.resolve(path).toFile();
        if (!file.exists()) {
            throw new FileNotFoundException(file.getAbsolutePath());
        }
        return file;
    }

    @Override
    public File getBasedir() {
        return base.toFile();
    }
}
