package io.portcullis.server.security;

import java.io.FileNotFoundException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.inject.Named;
import javax.inject.Provider;
import javax.inject.Singleton;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.filesystem.api.JamesDirectoriesProvider;
import org.apache.james.jwt.JwtTokenVerifier;
import org.apache.james.lifecycle.api.StartUpCheck;
import org.apache.james.utils.PropertiesProvider;
import org.apache.james.webadmin.Routes;
import org.apache.james.webadmin.WebAdminConfiguration;
import org.apache.james.webadmin.authentication.AuthenticationFilter;

import com.google.common.base.Splitter;
import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.multibindings.Multibinder;

/**
 * WebAdmin's protection in the bundled server (installed over James's {@code WebAdminServerModule}, whose
 * authentication filter binding it replaces): {@link WebAdminGuard} on every path, the admin token of
 * {@code var/webadmin.token}, the allowed {@code Host} names, and the start-up check against exposing WebAdmin
 * on the network over plain HTTP.
 */
public class WebAdminSecurityModule extends AbstractModule {
    @Override
    protected void configure() {
        Multibinder.newSetBinder(binder(), Routes.class).addBinding().to(WebAdminGuardRoutes.class);
        Multibinder.newSetBinder(binder(), StartUpCheck.class).addBinding().to(WebAdminExposureCheck.class);
    }

    @Provides
    @Singleton
    WebAdminToken token(JamesDirectoriesProvider directories) {
        return WebAdminToken.loadOrCreate(Path.of(directories.getVarDirectory()).resolve(WebAdminToken.FILE_NAME).toAbsolutePath().normalize());
    }

    @Provides
    @Singleton
    AuthenticationFilter guard(PropertiesProvider propertiesProvider, WebAdminConfiguration configuration, WebAdminToken token,
                               @Named("webadmin") JwtTokenVerifier.Factory jwtFactory,
                               @Named("webAdminRoutes") Provider<List<Routes>> routes) throws ConfigurationException {
        Optional<Configuration> properties = properties(propertiesProvider);
        boolean jwt = properties.map(p -> p.getBoolean("jwt.enabled", false)).orElse(false);
        List<String> extra = new ArrayList<>();
        properties.ifPresent(p -> {
            for (String value : p.getStringArray(AllowedHosts.PARAMETER)) {
                Splitter.on(',').trimResults().omitEmptyStrings().split(value).forEach(extra::add);
            }
        });
        AllowedHosts allowedHosts = AllowedHosts.of(configuration.getHost(), extra);
        Optional<String> corsOrigin = configuration.isEnableCORS() ? Optional.ofNullable(configuration.getUrlCORSOrigin()) : Optional.empty();
        return new WebAdminGuard(allowedHosts, token, jwt ? Optional.of(jwtFactory.create()) : Optional.empty(),
            configuration.isTlsEnabled(), corsOrigin, routes);
    }

    private static Optional<Configuration> properties(PropertiesProvider propertiesProvider) throws ConfigurationException {
        try {
            return Optional.of(propertiesProvider.getConfiguration("webadmin"));
        } catch (FileNotFoundException e) {
            return Optional.empty();
        }
    }
}
