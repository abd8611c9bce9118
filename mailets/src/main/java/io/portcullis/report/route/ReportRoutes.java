package io.portcullis.report.route;

import java.util.Map;
import java.util.Optional;

import javax.inject.Inject;

import org.apache.james.core.MailAddress;
import org.apache.james.task.TaskId;
import org.apache.james.webadmin.Routes;
import org.apache.james.webadmin.utils.ErrorResponder;
import org.apache.james.webadmin.utils.JsonTransformer;

import io.portcullis.report.schedule.ReportScheduler;
import spark.Service;

/**
 * {@code POST /portcullis/reports[?recipient=a@b]}: runs one report run now (for everybody, or one recipient)
 * as a James task; answers 201 {@code {"taskId": ...}} (follow it with {@code GET /tasks/{id}}).
 */
public class ReportRoutes implements Routes {
    public static final String BASE = "/portcullis/reports";

    private final ReportScheduler scheduler;
    private final JsonTransformer json = new JsonTransformer();

    @Inject
    public ReportRoutes(ReportScheduler scheduler) {
        this.scheduler = scheduler;
    }

    @Override
    public String getBasePath() {
        return BASE;
    }

    @Override
    public void define(Service service) {
        service.post(BASE, (request, response) -> {
            Optional<String> recipient = Optional.ofNullable(request.queryParams("recipient")).map(String::trim);
            if (recipient.isPresent()) {
                try {
                    recipient = Optional.of(new MailAddress(recipient.get()).asString());
                } catch (Exception e) {
                    throw ErrorResponder.builder().statusCode(400).type(ErrorResponder.ErrorType.INVALID_ARGUMENT)
                        .message("recipient '" + recipient.get() + "' is not an email address").haltError();
                }
            }
            TaskId id = scheduler.submit(recipient);
            response.status(201);
            response.header("Location", "/tasks/" + id.asString());
            return Map.of("taskId", id.asString());
        }, json);
    }
}
