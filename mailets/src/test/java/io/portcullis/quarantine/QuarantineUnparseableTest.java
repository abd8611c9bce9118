package io.portcullis.quarantine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import javax.mail.util.SharedByteArrayInputStream;

import org.apache.james.server.core.MimeMessageInputStreamSource;
import org.apache.james.server.core.MimeMessageWrapper;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.base.test.FakeMail;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.portcullis.mail.PortcullisAttributes;
import io.portcullis.store.GatewayStore;

/** Mail that JavaMail cannot write again once changed (an unterminated multipart) is held from its raw bytes. */
class QuarantineUnparseableTest {
    @TempDir
    static Path dir;
    static GatewayStore gatewayStore;
    QuarantineFixture fixture;

    @BeforeAll
    static void openStore() {
        gatewayStore = QuarantineFixture.openStore(dir);
    }

    @AfterAll
    static void closeStore() {
        gatewayStore.close();
    }

    @BeforeEach
    void setUp() throws Exception {
        fixture = new QuarantineFixture(gatewayStore);
    }

    static String nested(int levels) {
        StringBuilder body = new StringBuilder("From: a@remote.example\r\nTo: bob@acme.test\r\nSubject: nested\r\nMIME-Version: 1.0\r\n");
        for (int level = 0; level < levels; level++) {
            body.append(level == 0 ? "" : "--b" + (level - 1) + "\r\n");
            body.append("Content-Type: multipart/mixed; boundary=\"b").append(level).append("\"\r\n\r\n");
        }
        return body.append("--b").append(levels - 1).append("\r\nContent-Type: text/plain\r\n\r\nnever closed\r\n").toString();
    }

    @Test
    void holdShouldKeepTheRawBytesWhenAChangedMessageCannotBeWrittenAgain() throws Exception {
        String sent = nested(25);
        MimeMessageWrapper message = new MimeMessageWrapper(MimeMessageInputStreamSource.create("m1",
            new SharedByteArrayInputStream(sent.getBytes(StandardCharsets.ISO_8859_1))));
        message.addHeader("X-Changed", "by a mailet");
        FakeMail mail = FakeMail.builder().name("m1").sender("a@remote.example").recipients("bob@acme.test").mimeMessage(message)
            .attribute(new Attribute(PortcullisAttributes.TRACKING_ID, AttributeValue.of("t-m1"))).build();

        fixture.mailet("stalled").service(mail);

        List<QuarantineEntry> held = fixture.store.list(ListCriteria.all()).entries();
        assertThat(held).hasSize(1);
        String raw = new String(fixture.store.raw(held.get(0).entryId()).orElseThrow(), StandardCharsets.ISO_8859_1);
        assertThat(raw).contains("X-Changed: by a mailet").endsWith(sent.substring(sent.indexOf("\r\n\r\n") + 4));
        assertThat(held.get(0).message().subject()).contains("nested");
    }
}
