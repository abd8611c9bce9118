package io.portcullis.stalled;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.junit.jupiter.api.Test;

class UnscannableDetectorContainsTest {
    private static final byte[] PGP = "-----BEGIN PGP MESSAGE-----".getBytes(StandardCharsets.US_ASCII);

    /** The byte-by-byte search the detector used before the linear scan: the reference. */
    private static boolean naive(byte[] data, byte[] needle) {
        outer:
        for (int i = 0; i <= data.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (data[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void containsShouldFindTheNeedleAtTheStartInTheMiddleAndAtTheEnd() {
        assertThat(UnscannableDetector.contains(ascii("-----BEGIN PGP MESSAGE-----\nabc"), PGP)).isTrue();
        assertThat(UnscannableDetector.contains(ascii("text\n------BEGIN PGP MESSAGE-----\n"), PGP)).isTrue();
        assertThat(UnscannableDetector.contains(ascii("x-----BEGIN PGP MESSAGE-----"), PGP)).isTrue();
        assertThat(UnscannableDetector.contains(ascii("-----BEGIN PGP MESSAGE----"), PGP)).isFalse();
        assertThat(UnscannableDetector.contains(ascii("-----BEGIN PGP SIGNATURE-----"), PGP)).isFalse();
        assertThat(UnscannableDetector.contains(new byte[0], PGP)).isFalse();
        assertThat(UnscannableDetector.contains(ascii("any"), new byte[0])).isTrue();
    }

    @Test
    void containsShouldAgreeWithAByteByByteSearchOnRandomData() {
        Random random = new Random(3);
        byte[] utf16 = "_VBA_PROJECT".getBytes(StandardCharsets.UTF_16LE);
        for (int round = 0; round < 20_000; round++) {
            byte[] needle = switch (round % 4) {
                case 0 -> PGP;
                case 1 -> utf16;
                case 2 -> new byte[] {(byte) random.nextInt(3), (byte) random.nextInt(3)};
                default -> new byte[] {(byte) 0xFF, 0, (byte) 0xFF, (byte) random.nextInt(2)};
            };
            byte[] data = new byte[random.nextInt(80)];
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) (random.nextInt(4) == 0 ? 0xFF : random.nextInt(3));
            }
            if (random.nextBoolean() && data.length >= needle.length) {
                int at = random.nextInt(data.length - needle.length + 1);
                int keep = random.nextInt(needle.length + 1);
                System.arraycopy(needle, 0, data, at, keep);
            }
            assertThat(UnscannableDetector.contains(data, needle)).as("round %d", round).isEqualTo(naive(data, needle));
        }
    }
}
