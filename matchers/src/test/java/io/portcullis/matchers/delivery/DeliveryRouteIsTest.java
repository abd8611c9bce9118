package io.portcullis.matchers.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.Set;

import javax.mail.MessagingException;

import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetContext;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMatcherConfig;
import org.junit.jupiter.api.Test;

import io.portcullis.delivery.DeliveryConfiguration;

class DeliveryRouteIsTest {
    private static final Set<String> DOMAINS = Set.of("forward.test", "local.test", "hybrid.test");
    private static final Set<String> USERS = Set.of("alice@local.test", "carol@hybrid.test", "frank@forward.test");

    /** Our domains and users, nothing else (a stand-in for James's context in a unit test of one class). */
    private static MailetContext context() {
        return (MailetContext) Proxy.newProxyInstance(MailetContext.class.getClassLoader(), new Class<?>[] {MailetContext.class},
            (proxy, method, args) -> {
                switch (method.getName()) {
                    case "isLocalServer":
                        return DOMAINS.contains(((Domain) args[0]).asString());
                    case "isLocalEmail":
                        return USERS.contains(((MailAddress) args[0]).asString());
                    default:
                        return null;
                }
            });
    }

    private static DeliveryRouteIs matcher(String condition) throws MessagingException {
        DeliveryRouteIs matcher = new DeliveryRouteIs(DeliveryConfiguration.parse(Map.of(
            "domain.forward.test.mode", "forward", "domain.local.test.mode", "local", "domain.hybrid.test.mode", "hybrid")));
        matcher.init(FakeMatcherConfig.builder().matcherName("DeliveryRouteIs").condition(condition).mailetContext(context()).build());
        return matcher;
    }

    private static Mail mail() throws MessagingException {
        return FakeMail.builder().name("m").recipients("alice@local.test", "bob@local.test", "carol@hybrid.test",
            "dave@hybrid.test", "frank@forward.test", "erin@forward.test", "x@elsewhere.test").build();
    }

    @Test
    void localShouldMatchExistingUsersOfLocalAndHybridDomains() throws Exception {
        assertThat(matcher("local").match(mail())).extracting(MailAddress::asString)
            .containsExactlyInAnyOrder("alice@local.test", "carol@hybrid.test");
    }

    @Test
    void forwardShouldMatchForwardDomainsAndUnknownUsersOfHybridDomains() throws Exception {
        assertThat(matcher("forward").match(mail())).extracting(MailAddress::asString)
            .containsExactlyInAnyOrder("dave@hybrid.test", "frank@forward.test", "erin@forward.test");
    }

    @Test
    void initShouldFailNamingTheConditionWhenItIsInvalid() {
        assertThatThrownBy(() -> matcher("downstream")).isInstanceOf(MessagingException.class)
            .hasMessageContaining("'downstream'").hasMessageContaining("local or forward");
        assertThatThrownBy(() -> matcher(null)).isInstanceOf(MessagingException.class);
    }
}
