package io.portcullis.server.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WebAdmin admin token: 32 random bytes (URL-safe Base64, 43 characters) kept in {@code var/webadmin.token},
 * created at the first start with mode 600 (the permission is given at creation, never widened), read again
 * unchanged at every later start. The token itself is never logged: only the file's path.
 */
public final class WebAdminToken {
    private static final Logger LOGGER = LoggerFactory.getLogger(WebAdminToken.class);

    public static final String FILE_NAME = "webadmin.token";
    static final int RANDOM_BYTES = 32;
    private static final Pattern FORMAT = Pattern.compile("[A-Za-z0-9_-]{43,512}");
    private static final Set<PosixFilePermission> OWNER_ONLY = EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

    private final Path file;
    private final byte[] digest;

    private WebAdminToken(Path file, String token) {
        this.file = file;
        this.digest = sha256(token);
    }

    /** The token in {@code file}, created there first if the file does not exist. */
    public static WebAdminToken loadOrCreate(Path file) {
        try {
            if (!Files.exists(file)) {
                create(file);
                LOGGER.info("WebAdmin admin token created in {} (send it as 'Authorization: Bearer <token>')", file);
            } else {
                LOGGER.info("WebAdmin admin token read from {} (send it as 'Authorization: Bearer <token>')", file);
            }
            return new WebAdminToken(file, read(file));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or create the WebAdmin token file " + file, e);
        }
    }

    private static void create(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        byte[] random = new byte[RANDOM_BYTES];
        new SecureRandom().nextBytes(random);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Path temporary = file.resolveSibling(FILE_NAME + ".new");
        Files.deleteIfExists(temporary);
        Files.createFile(temporary, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        Files.write(temporary, (token + "\n").getBytes(StandardCharsets.US_ASCII), StandardOpenOption.WRITE, StandardOpenOption.SYNC);
        try {
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException | FileAlreadyExistsException e) {
            Files.deleteIfExists(temporary);
            throw e;
        }
    }

    private static String read(Path file) throws IOException {
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
        if (!OWNER_ONLY.containsAll(permissions)) {
            throw new IllegalStateException("The WebAdmin token file " + file + " has mode " + PosixFilePermissions.toString(permissions)
                + ": other users of this machine could read it. Run 'chmod 600 " + file + "' (or delete it: a new token is created at the next start)");
        }
        String token = Files.readString(file, StandardCharsets.US_ASCII).strip();
        if (!FORMAT.matcher(token).matches()) {
            throw new IllegalStateException("The WebAdmin token file " + file + " does not hold a token (43 to 512 characters of A-Z a-z 0-9 _ -): "
                + "delete it to get a new one at the next start");
        }
        return token;
    }

    /** Whether {@code presented} is the token, compared in constant time (digests of equal length). */
    public boolean matches(String presented) {
        return presented != null && MessageDigest.isEqual(digest, sha256(presented));
    }

    public Path file() {
        return file;
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "WebAdminToken{file=" + file + "}";
    }
}
