package io.portcullis.test;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Tests of a real external peer (a Debian package such as SpamAssassin's spamd, a browser, a database server) call
 * {@link #require} before using it. When the peer is present the test runs. When it is absent the test is skipped
 * and the reason is reported, or, with {@code -Dportcullis.peers=required} (what {@code .ci/run} passes after
 * installing every peer), it fails, so a CI run never passes without them.
 *
 * <p>Shared by the modules' tests through the mailets test-jar.
 */
public final class Peers {
    /** The system property; {@value #REQUIRED} turns a missing peer into a failure. */
    public static final String PROPERTY = "portcullis.peers";
    public static final String REQUIRED = "required";

    private Peers() {
    }

    /**
     * Runs the test only when the peer is present.
     *
     * @param peer what the test needs, e.g. {@code "spamd"}
     * @param present whether it was found
     * @param install how to install it, e.g. {@code "apt-get install spamassassin"}
     */
    public static void require(String peer, boolean present, String install) {
        if (present) {
            return;
        }
        String reason = peer + " is not installed (" + install + ")";
        if (required()) {
            Assertions.fail(reason + " and -D" + PROPERTY + "=" + REQUIRED + " says every peer must be there");
        }
        Assumptions.assumeTrue(false, reason + ": skipped; -D" + PROPERTY + "=" + REQUIRED + " makes this a failure");
    }

    /** Whether a missing peer fails the test ({@code -Dportcullis.peers=required}). */
    public static boolean required() {
        String value = System.getProperty(PROPERTY, "");
        if (value.isBlank() || value.equals("optional")) {
            return false;
        }
        if (value.equals(REQUIRED)) {
            return true;
        }
        throw new IllegalArgumentException("-D" + PROPERTY + "=" + value + ": expected " + REQUIRED + " or optional");
    }
}
