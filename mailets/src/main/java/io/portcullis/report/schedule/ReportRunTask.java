package io.portcullis.report.schedule;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.james.task.Task;
import org.apache.james.task.TaskExecutionDetails;
import org.apache.james.task.TaskType;

import io.portcullis.report.ReportService;

/** One report run (scheduled or {@code POST /portcullis/reports}) as a James task, listed in WebAdmin's tasks. */
public class ReportRunTask implements Task {
    public static final TaskType TYPE = TaskType.of("portcullis-quarantine-reports");

    public record Details(Optional<String> recipient, int recipients, int reportsSent, int items, int failures,
                          Instant timestamp) implements TaskExecutionDetails.AdditionalInformation {
    }

    private final ReportService service;
    private final Optional<String> recipient;
    private final Clock clock;
    private final AtomicReference<ReportService.RunSummary> summary = new AtomicReference<>(new ReportService.RunSummary(0, 0, 0, 0));

    public ReportRunTask(ReportService service, Optional<String> recipient, Clock clock) {
        this.service = service;
        this.recipient = recipient;
        this.clock = clock;
    }

    @Override
    public Result run() {
        ReportService.RunSummary result = service.run(recipient);
        summary.set(result);
        return result.failures() == 0 ? Result.COMPLETED : Result.PARTIAL;
    }

    @Override
    public TaskType type() {
        return TYPE;
    }

    @Override
    public Optional<TaskExecutionDetails.AdditionalInformation> details() {
        ReportService.RunSummary s = summary.get();
        return Optional.of(new Details(recipient, s.recipients(), s.reportsSent(), s.items(), s.failures(), clock.instant()));
    }

    public ReportService.RunSummary summary() {
        return summary.get();
    }
}
