package io.portcullis.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** The CPU accounting of the peer set-up: a process tree's CPU includes the processes that exited. */
@EnabledOnOs(OS.LINUX)
class ProcessStatsTest {
    /** A shell whose child burns CPU, exits and is reaped, then the shell waits (so it is still alive when sampled). */
    private static final String BURN_THEN_IDLE = "(i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done); sleep 30";

    @Test
    void treeCpuShouldCountAChildThatExitedWhenItsParentReapedIt() throws Exception {
        Process shell = new ProcessBuilder("sh", "-c", BURN_THEN_IDLE).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            // wait until the busy child is gone: only the shell and its sleep remain
            while (System.nanoTime() < deadline && !childIsSleep(shell)) {
                Thread.sleep(50);
            }
            assertThat(childIsSleep(shell)).as("the busy child exited").isTrue();
            double own = ProcessStats.cpuSeconds(shell.pid());
            double tree = ProcessStats.treeCpuSeconds(shell.pid());
            assertThat(tree).as("tree CPU (own %.2f s)", own).isGreaterThanOrEqualTo(own + 0.05);
        } finally {
            shell.descendants().forEach(ProcessHandle::destroy);
            shell.destroy();
        }
    }

    @Test
    void treePssShouldBePositiveForALiveTree() throws Exception {
        Process shell = new ProcessBuilder("sh", "-c", "sleep 30").start();
        try {
            Thread.sleep(200);
            assertThat(ProcessStats.treePssKib(shell.pid())).isPositive();
        } finally {
            shell.descendants().forEach(ProcessHandle::destroy);
            shell.destroy();
        }
    }

    private static boolean childIsSleep(Process shell) {
        return shell.children().anyMatch(c -> c.info().command().map(command -> command.endsWith("sleep")).orElse(false));
    }
}
