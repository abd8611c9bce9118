package io.portcullis.test;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.lang.StackWalker.Option;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Tests of a real external peer (a Debian package such as SpamAssassin's spamd, a browser, a database server) call
 * {@link #require} before using it. When the peer is present the test runs. When it is absent the test is skipped
 * and the reason is reported, or, with {@code -Dportcullis.peers=required} (what {@code .ci/run} passes after
 * installing every peer), it fails, so a CI run never passes without them.
 *
 * <p>A skipped test prints its reason on the build's console ({@code [WARNING] SpamdIntegrationTest skipped: spamd is not installed …}). Shared by
 * the modules' tests through the mailets test-jar.
 */
public final class Peers {
    /** The system property; {@value #REQUIRED} turns a missing peer into a failure. */
    public static final String PROPERTY = "portcullis.peers";
    public static final String REQUIRED = "required";
    /**
     * The build's console. Surefire prints a skipped test's count, not its reason, and sends the tests' own output to
     * files ({@code redirectTestOutputToFile}); the process's standard error reaches the console as it is.
     */
    private static final PrintStream CONSOLE = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);

    private Peers() {
    }

    /**
     * Runs the test only when the peer is present.
     *
     * @param peer what the test needs, e.g. {@code "spamd"}
     * @param present whether it was found
     * @param install how to install it, e.g. {@code "apt-get install spamd"}
     */
    public static void require(String peer, boolean present, String install) {
        String test = StackWalker.getInstance(Option.RETAIN_CLASS_REFERENCE).getCallerClass().getSimpleName();
        require(test, peer, present, install, CONSOLE);
    }

    static void require(String test, String peer, boolean present, String install, PrintStream console) {
        if (present) {
            return;
        }
        String reason = peer + " is not installed (" + install + ")";
        if (required()) {
            Assertions.fail(reason + " and -D" + PROPERTY + "=" + REQUIRED + " says every peer must be there");
        }
        String skipped = test + " skipped: " + reason + "; -D" + PROPERTY + "=" + REQUIRED + " makes this a failure";
        console.println("[WARNING] " + skipped);
        Assumptions.assumeTrue(false, skipped);
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
