package io.portcullis.server;

import java.io.File;
import java.util.Optional;

import org.apache.james.filesystem.api.JamesDirectoriesProvider;
import org.apache.james.server.core.JamesServerResourceLoader;
import org.apache.james.server.core.configuration.Configuration;
import org.apache.james.server.core.filesystem.FileSystemImpl;

/**
 * Where the server keeps its data. Everything it writes (databases, queue, mail repositories, the gateway
 * store) lives under one {@code var/} folder: by default the distribution's own, or the folder named by the
 * environment variable {@code PORTCULLIS_VAR_DIR} / system property {@code portcullis.var.directory}
 * (e.g. a separate disk or volume). Configuration stays in the distribution's {@code conf/}.
 */
public final class DataDirectories implements JamesDirectoriesProvider {
    public static final String ENVIRONMENT_VARIABLE = "PORTCULLIS_VAR_DIR";
    public static final String SYSTEM_PROPERTY = "portcullis.var.directory";

    private final JamesServerResourceLoader defaults;
    private final Optional<String> varDirectory;

    DataDirectories(String workingDirectory, Optional<String> varDirectory) {
        this.defaults = new JamesServerResourceLoader(workingDirectory);
        this.varDirectory = varDirectory.map(path -> new File(path).getAbsolutePath() + "/");
    }

    /** The server configuration for {@code workingDirectory}, honouring the var directory override. */
    public static Configuration configuration(String workingDirectory) {
        Optional<String> var = Optional.ofNullable(System.getProperty(SYSTEM_PROPERTY))
            .or(() -> Optional.ofNullable(System.getenv(ENVIRONMENT_VARIABLE)))
            .filter(value -> !value.isBlank());
        return new Configuration.Basic(new Configuration.ConfigurationPath(FileSystemImpl.FILE_PROTOCOL_AND_CONF),
            new DataDirectories(new File(workingDirectory).getAbsolutePath(), var));
    }

    @Override
    public String getAbsoluteDirectory() {
        return defaults.getAbsoluteDirectory();
    }

    @Override
    public String getConfDirectory() {
        return defaults.getConfDirectory();
    }

    @Override
    public String getVarDirectory() {
        return varDirectory.orElseGet(defaults::getVarDirectory);
    }

    @Override
    public String getRootDirectory() {
        return defaults.getRootDirectory();
    }

    @Override
    public String toString() {
        return "DataDirectories{root=" + getRootDirectory() + ", var=" + getVarDirectory() + "}";
    }
}
