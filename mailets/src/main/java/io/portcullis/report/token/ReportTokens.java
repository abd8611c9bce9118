package io.portcullis.report.token;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and verifies report action tokens: HMAC-SHA256 over {@code entryId|action|recipient|expiry|nonce}, the
 * whole thing base64url ({@code payload.signature}). A token is scoped to one entry, one action and one
 * recipient and expires (with the entry's retention). Single use is enforced by the caller (used-token table,
 * keyed by {@link #tokenId}).
 */
public class ReportTokens {
    public static final int KEY_BYTES = 32;
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    public record Claims(String entryId, String action, String recipient, Instant expiry) {
        public Claims {
            Objects.requireNonNull(entryId);
            Objects.requireNonNull(action);
            Objects.requireNonNull(recipient);
            Objects.requireNonNull(expiry);
            if (entryId.contains("|") || action.contains("|") || recipient.contains("|")) {
                throw new IllegalArgumentException("'|' is not allowed in a token field");
            }
        }
    }

    public enum Failure { MALFORMED, BAD_SIGNATURE, EXPIRED }

    public record Verification(Optional<Claims> claims, Optional<Failure> failure) {
        public boolean valid() {
            return claims.isPresent();
        }
    }

    private final byte[] key;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public ReportTokens(byte[] key, Clock clock) {
        if (key.length < 16) {
            throw new IllegalArgumentException("key too short");
        }
        this.key = key.clone();
        this.clock = clock;
    }

    /** The key kept in {@code file}; generated (random, file mode 600) at first start. */
    public static byte[] loadOrCreateKey(Path file) throws IOException {
        if (Files.exists(file)) {
            byte[] stored = Base64.getDecoder().decode(Files.readString(file, StandardCharsets.US_ASCII).trim());
            if (stored.length < 16) {
                throw new IOException(file + " holds a key shorter than 16 bytes: delete it to generate a new one");
            }
            return stored;
        }
        byte[] fresh = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(fresh);
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempFile(parent, "report-key", ".tmp");
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // non-POSIX file system: nothing more we can do
        }
        Files.writeString(tmp, Base64.getEncoder().encodeToString(fresh), StandardCharsets.US_ASCII);
        Files.move(tmp, file);
        return fresh;
    }

    public String sign(Claims claims) {
        byte[] nonce = new byte[9];
        random.nextBytes(nonce);
        String payload = String.join("|", claims.entryId(), claims.action(), claims.recipient(),
            Long.toString(claims.expiry().getEpochSecond()), ENCODER.encodeToString(nonce));
        String encoded = ENCODER.encodeToString(payload.getBytes(StandardCharsets.UTF_8));
        return encoded + "." + ENCODER.encodeToString(mac(encoded));
    }

    public Verification verify(String token) {
        if (token == null) {
            return failed(Failure.MALFORMED);
        }
        int dot = token.indexOf('.');
        if (dot <= 0 || dot != token.lastIndexOf('.')) {
            return failed(Failure.MALFORMED);
        }
        String encoded = token.substring(0, dot);
        byte[] signature;
        String payload;
        try {
            signature = DECODER.decode(token.substring(dot + 1));
            payload = new String(DECODER.decode(encoded), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return failed(Failure.MALFORMED);
        }
        // compared as text, not as decoded bytes: the last character of a 32-byte signature carries two unused bits,
        // and the decoder ignores them, so four spellings of one signature would otherwise pass (a link could be
        // altered and still work)
        byte[] expected = ENCODER.encodeToString(mac(encoded)).getBytes(StandardCharsets.US_ASCII);
        if (signature.length != 32 || !MessageDigest.isEqual(token.substring(dot + 1).getBytes(StandardCharsets.US_ASCII), expected)) {
            return failed(Failure.BAD_SIGNATURE);
        }
        String[] parts = payload.split("\\|", -1);
        if (parts.length != 5) {
            return failed(Failure.MALFORMED);
        }
        Instant expiry;
        try {
            expiry = Instant.ofEpochSecond(Long.parseLong(parts[3]));
        } catch (NumberFormatException e) {
            return failed(Failure.MALFORMED);
        }
        if (!clock.instant().isBefore(expiry)) {
            return failed(Failure.EXPIRED);
        }
        return new Verification(Optional.of(new Claims(parts[0], parts[1], parts[2], expiry)), Optional.empty());
    }

    /** Stable id of a token for the used-token table (hex SHA-256, 64 chars). */
    public static String tokenId(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Verification failed(Failure failure) {
        return new Verification(Optional.empty(), Optional.of(failure));
    }

    private byte[] mac(String encodedPayload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(encodedPayload.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
