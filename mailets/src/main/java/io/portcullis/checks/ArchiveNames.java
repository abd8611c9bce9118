package io.portcullis.checks;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reads what a ZIP archive holds from its central directory (the list at its end), never by walking the entries'
 * data: the names of at most {@value #MAX_ENTRIES} entries, the first {@value #MAX_ENTRY_BYTES} bytes of each (for
 * magic bytes and the EICAR test file) while at most {@value #MAX_EXPANDED_BYTES} bytes in all are expanded per
 * attachment, and archives inside the archive down to {@value #MAX_NESTING} levels. So a filler entry in front does not
 * hide what follows it, and a zip bomb expands no further than these caps. The archive is read by
 * {@link java.util.zip.ZipFile} from a temporary file (deleted at once).
 */
final class ArchiveNames {
    /** Entries of one archive (nested archives included) whose names are examined. */
    static final int MAX_ENTRIES = 1000;
    /** Bytes read from the start of each entry. */
    static final int MAX_ENTRY_BYTES = 64 * 1024;
    /** Bytes expanded from one attachment in all (entry starts and nested archives). */
    static final int MAX_EXPANDED_BYTES = 16 << 20;
    /** Archives inside archives opened: an archive in the attachment (1) and one more level inside it (2). */
    static final int MAX_NESTING = 2;

    /** One entry: where it is ({@code inner.zip/evil.exe}), its short name, its first bytes. */
    record Entry(String path, String name, byte[] head) {
    }

    /** What was read: the entries, and what could not be (an unreadable nested archive, caps reached). */
    record Listing(List<Entry> entries, List<String> problems) {
    }

    private ArchiveNames() {
    }

    static boolean isZip(byte[] content) {
        return content.length >= 4 && content[0] == 'P' && content[1] == 'K'
            && (content[2] == 3 && content[3] == 4 || content[2] == 5 && content[3] == 6);
    }

    /** The entries of the archive {@code zip}; an {@link IOException} when it cannot be read at all (truncated, damaged). */
    static Listing read(byte[] zip) throws IOException {
        List<Entry> entries = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        long[] expanded = {0};
        read(zip, "", 1, entries, problems, expanded);
        return new Listing(entries, problems);
    }

    private static void read(byte[] zip, String prefix, int level, List<Entry> entries, List<String> problems, long[] expanded) throws IOException {
        Path file = Files.createTempFile("portcullis-archive", ".zip");
        try {
            Files.write(file, zip);
            try (ZipFile archive = open(file)) {
                Enumeration<? extends ZipEntry> all = archive.entries();
                while (all.hasMoreElements()) {
                    ZipEntry entry = all.nextElement();
                    if (entries.size() >= MAX_ENTRIES) {
                        problems.add("more than " + MAX_ENTRIES + " entries: the rest not examined");
                        return;
                    }
                    if (entry.isDirectory()) {
                        continue;
                    }
                    String path = prefix + entry.getName();
                    String name = shortName(entry.getName());
                    byte[] head = new byte[0];
                    boolean nested = normalise(name).endsWith(".zip");
                    if (expanded[0] < MAX_EXPANDED_BYTES) {
                        head = readStart(archive, entry, (int) Math.min(MAX_ENTRY_BYTES, MAX_EXPANDED_BYTES - expanded[0]), problems, path);
                        expanded[0] += head.length;
                        nested |= isZip(head);
                    }
                    entries.add(new Entry(path, name, head));
                    if (nested) {
                        nested(archive, entry, path, level, entries, problems, expanded);
                    }
                }
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * The archive, its names read as UTF-8 (what the format says for names flagged so, and what most tools write); an
     * archive with names in another encoding is read with IBM437, the format's default, in which any byte is a character.
     */
    private static ZipFile open(Path file) throws IOException {
        try {
            ZipFile archive = new ZipFile(file.toFile(), StandardCharsets.UTF_8);
            try {
                Enumeration<? extends ZipEntry> all = archive.entries();
                while (all.hasMoreElements()) {
                    all.nextElement();
                }
                return archive;
            } catch (RuntimeException e) {
                archive.close();
            }
        } catch (ZipException e) {
            if (e.getMessage() == null || !e.getMessage().contains("bad entry name")) {
                throw e;
            }
        }
        return new ZipFile(file.toFile(), Charset.forName("IBM437"));
    }

    private static void nested(ZipFile archive, ZipEntry entry, String path, int level, List<Entry> entries, List<String> problems,
            long[] expanded) {
        if (level >= MAX_NESTING) {
            problems.add("archive " + path + " nested deeper than " + MAX_NESTING + " levels not opened");
            return;
        }
        long left = MAX_EXPANDED_BYTES - expanded[0];
        byte[] inner;
        try (InputStream in = archive.getInputStream(entry)) {
            inner = in.readNBytes((int) Math.max(0, Math.min(left + 1, Integer.MAX_VALUE - 8)));
        } catch (IOException | RuntimeException e) {
            problems.add("archive " + path + " could not be read: " + e.getMessage());
            return;
        }
        if (inner.length > left) {
            problems.add("archive " + path + " expands beyond " + (MAX_EXPANDED_BYTES >> 20) + " MiB: not opened");
            expanded[0] = MAX_EXPANDED_BYTES;
            return;
        }
        expanded[0] += inner.length;
        try {
            read(inner, path + "/", level + 1, entries, problems, expanded);
        } catch (IOException | RuntimeException e) {
            problems.add("archive " + path + " could not be read: " + e.getMessage());
        }
    }

    private static byte[] readStart(ZipFile archive, ZipEntry entry, int max, List<String> problems, String path) {
        try (InputStream in = archive.getInputStream(entry)) {
            return in.readNBytes(max);
        } catch (ZipException e) {
            // encrypted or an unsupported method: the name is still examined; DetectUnscannable stalls encrypted archives
            return new byte[0];
        } catch (IOException | RuntimeException e) {
            problems.add("entry " + path + " could not be read: " + e.getMessage());
            return new byte[0];
        }
    }

    /** The last part of a path inside an archive ({@code a/b\c.exe} → {@code c.exe}). */
    static String shortName(String path) {
        int slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
        return path.substring(slash + 1);
    }

    /**
     * A file name as the system that opens it sees it, for the checks on its extension: compatibility forms folded
     * (NFKC: full-width letters become ASCII), control and format characters dropped (NUL, the right-to-left override
     * U+202E and other bidirectional controls, zero-width characters), lower case, and the dots and spaces Windows
     * ignores at the end removed ({@code evil.exe.} and {@code evil.exe } are {@code evil.exe}).
     */
    static String normalise(String name) {
        String folded = Normalizer.normalize(name, Normalizer.Form.NFKC);
        StringBuilder kept = new StringBuilder(folded.length());
        for (int i = 0; i < folded.length(); i++) {
            char c = folded.charAt(i);
            int type = Character.getType(c);
            if (type != Character.CONTROL && type != Character.FORMAT) {
                kept.append(c);
            }
        }
        String lower = kept.toString().toLowerCase(Locale.ROOT).strip();
        int end = lower.length();
        while (end > 0 && (lower.charAt(end - 1) == '.' || Character.isWhitespace(lower.charAt(end - 1)) || Character.isSpaceChar(lower.charAt(end - 1)))) {
            end--;
        }
        return lower.substring(0, end);
    }

    /** Whether a name holds a character that reverses the text around it on screen (U+202A-202E, U+2066-2069, U+200F). */
    static boolean hasBidiControl(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c >= '\u202A' && c <= '\u202E' || c >= '\u2066' && c <= '\u2069' || c == '\u200F' || c == '\u061C') {
                return true;
            }
        }
        return false;
    }

    /** A name fit for a reason: control and format characters shown as {@code ?}. */
    static String printable(String name) {
        StringBuilder shown = new StringBuilder(Math.min(name.length(), 200));
        for (int i = 0; i < name.length() && shown.length() < 200; i++) {
            char c = name.charAt(i);
            int type = Character.getType(c);
            shown.append(type == Character.CONTROL || type == Character.FORMAT ? '?' : c);
        }
        return name.length() > 200 ? shown + "…" : shown.toString();
    }
}
