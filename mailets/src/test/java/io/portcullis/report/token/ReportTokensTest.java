package io.portcullis.report.token;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.portcullis.quarantine.MutableClock;

class ReportTokensTest {
    static final Instant NOW = Instant.parse("2026-11-23T08:00:00Z");
    final MutableClock clock = new MutableClock(NOW);
    final ReportTokens tokens = new ReportTokens("0123456789abcdef0123456789abcdef".getBytes(), clock);
    final ReportTokens.Claims claims = new ReportTokens.Claims("e-1", "release", "bob@portcullis.test", NOW.plus(Duration.ofDays(14)));

    @Test
    void verifyShouldReturnClaimsWhenTokenIsIntact() {
        ReportTokens.Verification verification = tokens.verify(tokens.sign(claims));

        assertThat(verification.claims()).contains(new ReportTokens.Claims("e-1", "release", "bob@portcullis.test",
            Instant.ofEpochSecond(claims.expiry().getEpochSecond())));
    }

    @Test
    void signShouldGiveDifferentTokensWhenSameClaims() {
        assertThat(tokens.sign(claims)).isNotEqualTo(tokens.sign(claims));
    }

    @Test
    void verifyShouldFailWhenPayloadIsTampered() {
        String token = tokens.sign(claims);
        String otherPayload = tokens.sign(new ReportTokens.Claims("e-2", "release", "bob@portcullis.test", claims.expiry()));
        String forged = otherPayload.substring(0, otherPayload.indexOf('.')) + token.substring(token.indexOf('.'));

        assertThat(tokens.verify(forged).failure()).contains(ReportTokens.Failure.BAD_SIGNATURE);
    }

    @Test
    void verifyShouldFailWhenSignatureCharacterChanges() {
        String token = tokens.sign(claims);
        char last = token.charAt(token.length() - 1);
        String tampered = token.substring(0, token.length() - 1) + (last == 'A' ? 'B' : 'A');

        assertThat(tokens.verify(tampered).valid()).isFalse();
    }

    @Test
    void verifyShouldFailForEveryOtherSpellingOfTheSignature() {
        String token = tokens.sign(claims);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        char last = token.charAt(token.length() - 1);
        for (char other : alphabet.toCharArray()) {
            if (other != last) {
                // among them the three that decode to the same bytes (the last character's two unused bits)
                assertThat(tokens.verify(token.substring(0, token.length() - 1) + other).valid()).as("last character %s", other).isFalse();
            }
        }
        assertThat(tokens.verify(token).valid()).isTrue();
    }

    @Test
    void verifyShouldFailWhenSignedWithAnotherKey() {
        ReportTokens other = new ReportTokens("fedcba9876543210fedcba9876543210".getBytes(), clock);

        assertThat(tokens.verify(other.sign(claims)).failure()).contains(ReportTokens.Failure.BAD_SIGNATURE);
    }

    @Test
    void verifyShouldFailWhenExpired() {
        String token = tokens.sign(claims);
        clock.advance(Duration.ofDays(14));

        assertThat(tokens.verify(token).failure()).contains(ReportTokens.Failure.EXPIRED);
    }

    @Test
    void verifyShouldFailWhenMalformed() {
        assertThat(tokens.verify("garbage").failure()).contains(ReportTokens.Failure.MALFORMED);
        assertThat(tokens.verify("a.b.c").failure()).contains(ReportTokens.Failure.MALFORMED);
        assertThat(tokens.verify("").failure()).contains(ReportTokens.Failure.MALFORMED);
        assertThat(tokens.verify(null).failure()).contains(ReportTokens.Failure.MALFORMED);
    }

    @Test
    void tokenIdShouldBeStableHex() {
        assertThat(ReportTokens.tokenId("abc")).hasSize(64).isEqualTo(ReportTokens.tokenId("abc"));
    }

    @Test
    void loadOrCreateKeyShouldCreateOwnerOnlyFileAndReuseIt(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("var/portcullis-report.key");

        byte[] first = ReportTokens.loadOrCreateKey(file);
        byte[] second = ReportTokens.loadOrCreateKey(file);

        assertThat(first).hasSize(ReportTokens.KEY_BYTES).isEqualTo(second);
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
    }
}
