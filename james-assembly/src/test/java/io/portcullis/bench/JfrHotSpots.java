package io.portcullis.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * The hot spots of a Java Flight Recording (execution samples): the methods most often on top of the stack (self
 * time), and the Portcullis / James / Derby / ActiveMQ code most often on the stack under a sample (total time), so
 * that a sample in the JDK or a library is charged to the application code that called it.
 */
public final class JfrHotSpots {
    private JfrHotSpots() {
    }

    public static String summary(Path recording, int top) throws IOException {
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> application = new HashMap<>();
        int samples = 0;
        for (RecordedEvent event : RecordingFile.readAllEvents(recording)) {
            if (!event.getEventType().getName().equals("jdk.ExecutionSample")) {
                continue;
            }
            RecordedStackTrace stack = event.getStackTrace();
            if (stack == null || stack.getFrames().isEmpty()) {
                continue;
            }
            samples++;
            List<RecordedFrame> frames = stack.getFrames();
            self.merge(name(frames.get(0)), 1, Integer::sum);
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (RecordedFrame frame : frames) {
                String name = name(frame);
                if (isApplication(name) && seen.add(name)) {
                    application.merge(name, 1, Integer::sum);
                }
            }
        }
        StringBuilder out = new StringBuilder();
        out.append(samples).append(" execution samples in ").append(recording.getFileName()).append('\n');
        out.append("Top methods by self time (top of stack):\n").append(table(self, samples, top, Function.identity()));
        out.append("Top Portcullis / James / Derby / ActiveMQ methods by total time (on the stack):\n")
            .append(table(application, samples, top, Function.identity()));
        return out.toString();
    }

    private static boolean isApplication(String name) {
        return (name.startsWith("io.portcullis.") || name.startsWith("org.apache.james.") || name.startsWith("org.apache.derby.")
            || name.startsWith("org.apache.activemq.") || name.startsWith("org.apache.openjpa."))
            && !name.contains(".run(") && !name.contains("lambda$") && !name.contains("Thread");
    }

    private static String name(RecordedFrame frame) {
        return frame.getMethod().getType().getName() + "." + frame.getMethod().getName() + "()";
    }

    private static String table(Map<String, Integer> counts, int samples, int top, Function<String, String> label) {
        StringBuilder out = new StringBuilder();
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(top)
            .forEach(e -> out.append(String.format("  %5.1f %%  %s%n", 100.0 * e.getValue() / samples, label.apply(e.getKey()))));
        return out.toString();
    }
}
