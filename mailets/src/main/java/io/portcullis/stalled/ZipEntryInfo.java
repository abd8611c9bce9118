package io.portcullis.stalled;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Name and encryption of the entries of a ZIP archive, read from its raw headers (no extraction). */
record ZipEntryInfo(String name, boolean encrypted, boolean aes) {
    private static final int CENTRAL = 0x02014b50;
    private static final int LOCAL = 0x04034b50;
    private static final int END = 0x06054b50;
    private static final int AES_METHOD = 99;

    static List<ZipEntryInfo> read(byte[] zip) {
        List<ZipEntryInfo> central = central(zip);
        return central.isEmpty() ? local(zip) : central;
    }

    /**
     * What is wrong with the archive's directory, if anything: no end-of-directory record (a truncated archive, or not a
     * ZIP archive after all), or a directory that does not hold the entries the record announces (damaged). ZIP64
     * archives, whose record points elsewhere, are not judged here.
     */
    static Optional<String> directoryProblem(byte[] zip) {
        int end = endRecord(zip);
        if (end < 0) {
            return Optional.of("is truncated (no central directory)");
        }
        int count = int16(zip, end + 10);
        long offset = int32(zip, end + 16) & 0xFFFFFFFFL;
        if (count == 0xFFFF || offset == 0xFFFFFFFFL) {
            return Optional.empty();
        }
        int found = central(zip).size();
        return found < count ? Optional.of("is damaged (its central directory lists " + found + " of " + count + " entries)") : Optional.empty();
    }

    private static int endRecord(byte[] zip) {
        for (int i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 65_535); i--) {
            if (int32(zip, i) == END) {
                return i;
            }
        }
        return -1;
    }

    private static List<ZipEntryInfo> central(byte[] zip) {
        List<ZipEntryInfo> entries = new ArrayList<>();
        int end = endRecord(zip);
        if (end < 0) {
            return entries;
        }
        int count = int16(zip, end + 10);
        long offset = int32(zip, end + 16) & 0xFFFFFFFFL;
        int position = (int) Math.min(offset, Integer.MAX_VALUE);
        for (int n = 0; n < count && position + 46 <= zip.length && int32(zip, position) == CENTRAL; n++) {
            int flags = int16(zip, position + 8);
            int method = int16(zip, position + 10);
            int nameLength = int16(zip, position + 28);
            int extraLength = int16(zip, position + 30);
            int commentLength = int16(zip, position + 32);
            if (position + 46 + nameLength > zip.length) {
                break;
            }
            String name = new String(zip, position + 46, nameLength, StandardCharsets.UTF_8);
            entries.add(new ZipEntryInfo(name, (flags & 1) != 0, method == AES_METHOD));
            position += 46 + nameLength + extraLength + commentLength;
        }
        return entries;
    }

    private static List<ZipEntryInfo> local(byte[] zip) {
        List<ZipEntryInfo> entries = new ArrayList<>();
        int position = 0;
        while (position + 30 <= zip.length && int32(zip, position) == LOCAL) {
            int flags = int16(zip, position + 6);
            int method = int16(zip, position + 8);
            long compressedSize = int32(zip, position + 18) & 0xFFFFFFFFL;
            int nameLength = int16(zip, position + 26);
            int extraLength = int16(zip, position + 28);
            if (position + 30 + nameLength > zip.length) {
                break;
            }
            entries.add(new ZipEntryInfo(new String(zip, position + 30, nameLength, StandardCharsets.UTF_8), (flags & 1) != 0, method == AES_METHOD));
            if ((flags & 8) != 0) {
                break; // sizes follow the data: cannot skip safely without the central directory
            }
            position += 30 + nameLength + extraLength + (int) Math.min(compressedSize, Integer.MAX_VALUE - position);
        }
        return entries;
    }

    private static int int16(byte[] data, int at) {
        return (data[at] & 0xFF) | (data[at + 1] & 0xFF) << 8;
    }

    private static int int32(byte[] data, int at) {
        if (at < 0 || at + 4 > data.length) {
            return 0;
        }
        return (data[at] & 0xFF) | (data[at + 1] & 0xFF) << 8 | (data[at + 2] & 0xFF) << 16 | (data[at + 3] & 0xFF) << 24;
    }
}
