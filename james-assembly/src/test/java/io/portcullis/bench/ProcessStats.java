package io.portcullis.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** CPU time and memory of a process, from /proc (Linux). */
public final class ProcessStats {
    /** Clock ticks per second of /proc/[pid]/stat (USER_HZ, 100 on Linux). */
    private static final double TICKS = 100.0;

    private ProcessStats() {
    }

    /** User + system CPU seconds the process has used so far. */
    public static double cpuSeconds(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // fields[0] is field 3 (state): utime is field 14, stime field 15.
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS;
    }

    /**
     * CPU seconds of a process tree: for the root and each live descendant, its own user + system time plus the
     * accumulated times of the children it has waited for (fields 16 and 17, cutime and cstime). A process that exited
     * during the run is counted through its parent once reaped (postfix's master reaps smtpd, cleanup, smtp ... as they
     * exit after their max_use; rspamd's main process its workers), so the difference of two samples is the CPU the
     * whole instance used in between, exited processes included. A process that exits between the reading of its own
     * line and of its parent's may be counted twice or not at all: at most one short-lived process per sample.
     */
    public static double treeCpuSeconds(long rootPid) {
        long ticks = 0;
        for (long pid : tree(rootPid)) {
            try {
                String[] fields = statFields(pid);
                ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]) + Long.parseLong(fields[13]) + Long.parseLong(fields[14]);
            } catch (IOException | RuntimeException exited) {
                // gone between the listing and the read: its time is in its parent's children times once reaped
            }
        }
        return ticks / TICKS;
    }

    /**
     * Proportional set size (KiB, /proc/[pid]/smaps_rollup: resident pages, each shared page divided among the
     * processes sharing it) summed over a process tree: the tree's resident memory, shared pages counted once.
     */
    public static long treePssKib(long rootPid) {
        long kib = 0;
        for (long pid : tree(rootPid)) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/smaps_rollup"))) {
                    if (line.startsWith("Pss:")) {
                        kib += Long.parseLong(line.replaceAll("[^0-9]", ""));
                    }
                }
            } catch (IOException | RuntimeException exited) {
                // gone
            }
        }
        return kib;
    }

    /** The root and its live descendants, children listed before their parents. */
    static List<Long> tree(long rootPid) {
        List<Long> pids = new ArrayList<>();
        ProcessHandle.of(rootPid).ifPresent(root -> root.descendants().forEach(d -> pids.add(0, d.pid())));
        pids.add(rootPid);
        return pids;
    }

    private static String[] statFields(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    }

    /** A line of /proc/[pid]/status in KiB, e.g. VmRSS (resident now) or VmHWM (peak resident). */
    public static long statusKib(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
