package io.portcullis.quarantine.route;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import java.nio.file.Path;
import java.util.List;

import org.apache.james.webadmin.WebAdminServer;
import org.apache.james.webadmin.WebAdminUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.portcullis.quarantine.QuarantineTestAccess;
import io.portcullis.store.GatewayStore;
import io.portcullis.tracking.EventType;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;

class QuarantineRoutesTest {
    @TempDir
    static Path dir;
    static GatewayStore gatewayStore;

    QuarantineTestAccess quarantine;
    WebAdminServer server;

    @BeforeAll
    static void openStore() {
        gatewayStore = QuarantineTestAccess.openStore(dir);
    }

    @AfterAll
    static void closeStore() {
        gatewayStore.close();
    }

    @BeforeEach
    void setUp() throws Exception {
        quarantine = new QuarantineTestAccess(gatewayStore);
        server = WebAdminUtils.createWebAdminServer(new QuarantineRoutes(quarantine.service())).start();
        RestAssured.requestSpecification = WebAdminUtils.buildRequestSpecification(server).build();
    }

    @AfterEach
    void tearDown() {
        server.destroy();
    }

    private String hold(String name, String area, String... recipients) throws Exception {
        return quarantine.hold(name, area, recipients).get(0);
    }

    @Nested
    class ListEntries {
        @Test
        void getShouldListHeldEntriesPerRecipient() throws Exception {
            quarantine.hold("m1", "spam", "a@portcullis.test", "b@portcullis.test");
            quarantine.hold("m2", "threat", "a@portcullis.test");

            given().get("/portcullis/quarantine?recipient=a@portcullis.test")
            .then()
                .statusCode(200)
                .body("total", equalTo(2))
                .body("items", hasSize(2))
                .body("items[0].recipient", equalTo("a@portcullis.test"))
                .body("items[0].sender", equalTo("spammer@remote.example"));
        }

        @Test
        void getShouldFilterByAreaAndPage() throws Exception {
            quarantine.hold("m1", "spam", "a@portcullis.test", "b@portcullis.test", "c@portcullis.test");
            quarantine.hold("m2", "threat", "a@portcullis.test");

            given().get("/portcullis/quarantine?area=spam&page=2&pageSize=2")
            .then()
                .statusCode(200)
                .body("total", equalTo(3))
                .body("items", hasSize(1))
                .body("items[0].area", equalTo("spam"))
                .body("items[0].expiry", containsString("T"));
        }

        @Test
        void getShouldFilterBySenderDomainAndPeriod() throws Exception {
            quarantine.hold("m1", "spam", "a@portcullis.test");

            given().get("/portcullis/quarantine?sender=@remote.example&from=2026-11-23&to=2026-11-24T00:00:00Z")
                .then().statusCode(200).body("total", equalTo(1));
            given().get("/portcullis/quarantine?sender=@elsewhere.example")
                .then().statusCode(200).body("total", equalTo(0));
        }

        @Test
        void getShouldReturn400WhenPageSizeTooLarge() {
            given().get("/portcullis/quarantine?pageSize=301")
            .then()
                .statusCode(400)
                .contentType(ContentType.JSON)
                .body("statusCode", equalTo(400))
                .body("type", equalTo("InvalidArgument"))
                .body("message", containsString("pageSize '301'"));
        }

        @Test
        void getShouldReturn400WhenAreaUnknown() {
            given().get("/portcullis/quarantine?area=spma")
                .then().statusCode(400).body("message", containsString("unknown area 'spma'"));
        }

        @Test
        void getShouldReturn400WhenDateInvalid() {
            given().get("/portcullis/quarantine?from=yesterday")
                .then().statusCode(400).body("message", containsString("invalid from 'yesterday'"));
        }

        @Test
        void getShouldReturn400WhenParameterUnknown() {
            given().get("/portcullis/quarantine?recipients=a@portcullis.test")
                .then().statusCode(400).body("message", containsString("recipients"));
        }

        @Test
        void getShouldReturn400WhenRecipientInvalid() {
            given().get("/portcullis/quarantine?recipient=not an address")
                .then().statusCode(400).body("message", containsString("invalid address"));
        }
    }

    @Nested
    class OneEntry {
        @Test
        void getShouldReturnMetadataAndRecordTheView() throws Exception {
            String id = hold("m1", "spam", "a@portcullis.test");

            given().get("/portcullis/quarantine/" + id)
            .then()
                .statusCode(200)
                .body("id", equalTo(id))
                .body("area", equalTo("spam"))
                .body("state", equalTo("held"))
                .body("score", equalTo(85))
                .body("reasons", hasSize(2))
                .body("trackingId", equalTo("t-m1"));
            assertThat(quarantine.tracker().of(EventType.VIEWED)).hasSize(1);
        }

        @Test
        void getShouldReturn404WhenUnknown() {
            given().get("/portcullis/quarantine/nope")
            .then()
                .statusCode(404)
                .body("type", equalTo("notFound"))
                .body("message", containsString("nope"));
        }

        @Test
        void rawShouldReturnTheMessageAndRecordViewedRaw() throws Exception {
            String id = hold("m1", "spam", "a@portcullis.test");

            String raw = given().accept("message/rfc822").get("/portcullis/quarantine/" + id + "/raw")
            .then()
                .statusCode(200)
                .contentType("message/rfc822")
                .extract().asString();

            assertThat(raw).contains("Subject: Cheap pills m1").contains("buy now");
            assertThat(quarantine.tracker().of(EventType.VIEWED_RAW)).hasSize(1);
            assertThat(quarantine.tracker().of(EventType.VIEWED_RAW).get(0).info()).containsEntry("Actioned by", "admin");
        }

        @Test
        void rawShouldReturn404WhenUnknown() {
            given().get("/portcullis/quarantine/nope/raw").then().statusCode(404).body("statusCode", equalTo(404));
        }
    }

    @Nested
    class Actions {
        @Test
        void releaseShouldReinjectOnceEvenWhenPostedTwice() throws Exception {
            String id = hold("m1", "spam", "a@portcullis.test");

            given().post("/portcullis/quarantine/" + id + "?action=release")
                .then().statusCode(200).body("outcome", equalTo("done")).body("state", equalTo("released"))
                .body("newMailName", containsString(id));
            given().post("/portcullis/quarantine/" + id + "?action=release")
                .then().statusCode(200).body("outcome", equalTo("already_done")).body("newMailName", nullValue());

            assertThat(quarantine.context().getSentMails()).hasSize(1);
            assertThat(quarantine.context().getSentMails().get(0).getState()).isEqualTo("deliver");
            assertThat(quarantine.tracker().of(EventType.RELEASED).get(0).info()).containsEntry("Actioned by", "admin");
        }

        @Test
        void retryAndForceShouldUseTheirProcessors() throws Exception {
            String one = hold("m1", "policy", "a@portcullis.test");
            String two = hold("m2", "policy", "a@portcullis.test");

            given().post("/portcullis/quarantine/" + one + "?action=retry").then().statusCode(200).body("state", equalTo("retried"));
            given().post("/portcullis/quarantine/" + two + "?action=force").then().statusCode(200).body("state", equalTo("forced"));

            assertThat(quarantine.context().getSentMails()).extracting(s -> s.getState()).containsExactly("filter", "deliver");
        }

        @Test
        void forwardShouldSendACopyToTheAddress() throws Exception {
            String id = hold("m1", "spam", "a@portcullis.test");

            given().post("/portcullis/quarantine/" + id + "?action=forward&to=analyst@portcullis.test")
                .then().statusCode(200).body("state", equalTo("held"));

            assertThat(quarantine.context().getSentMails().get(0).getRecipients()).extracting(Object::toString)
                .containsExactly("analyst@portcullis.test");
            assertThat(quarantine.tracker().of(EventType.FORWARDED)).hasSize(1);
        }

        @Test
        void forwardShouldReturn400WithoutTo() throws Exception {
            String id = hold("m1", "spam", "a@portcullis.test");

            given().post("/portcullis/quarantine/" + id + "?action=forward")
                .then().statusCode(400).body("message", containsString("needs 'to'"));
        }

        @Test
        void postShouldReturn400WhenActionUnknown() throws Exception {
            String id = hold("m1", "spam", "a@portcullis.test");

            given().post("/portcullis/quarantine/" + id + "?action=relase")
                .then().statusCode(400).body("message", containsString("invalid action 'relase'"));
            given().post("/portcullis/quarantine/" + id)
                .then().statusCode(400).body("message", containsString("missing 'action'"));
        }

        @Test
        void postShouldReturn404WhenUnknownId() {
            given().post("/portcullis/quarantine/nope?action=release").then().statusCode(404);
        }

        @Test
        void deleteShouldRemoveAndThenReleaseShouldConflict() throws Exception {
            String id = hold("m1", "spam", "a@portcullis.test");

            given().delete("/portcullis/quarantine/" + id).then().statusCode(200).body("state", equalTo("deleted"));
            given().post("/portcullis/quarantine/" + id + "?action=release")
                .then().statusCode(409).body("type", equalTo("WrongState")).body("message", containsString("deleted"));
            given().get("/portcullis/quarantine").then().body("total", equalTo(0));
            given().get("/portcullis/quarantine?state=deleted").then().body("total", equalTo(1));

            assertThat(quarantine.context().getSentMails()).isEmpty();
            assertThat(quarantine.tracker().of(EventType.DELETED).get(0).info()).containsEntry("Actioned by", "admin");
        }

        @Test
        void deleteShouldReturn404WhenUnknownId() {
            given().delete("/portcullis/quarantine/nope").then().statusCode(404);
        }

        @Test
        void neverExpireShouldClearTheExpiry() throws Exception {
            String id = hold("m1", "spam", "a@portcullis.test");

            given().post("/portcullis/quarantine/" + id + "?action=neverExpire").then().statusCode(200);

            given().get("/portcullis/quarantine/" + id).then().body("expiry", nullValue()).body("neverExpire", equalTo(true));
        }
    }

    @Nested
    class Bulk {
        @Test
        void postShouldApplyTheActionToEveryId() throws Exception {
            List<String> ids = quarantine.hold("m1", "spam", "a@portcullis.test", "b@portcullis.test");

            given().body("[\"" + ids.get(0) + "\", \"" + ids.get(1) + "\", \"nope\"]")
                .post("/portcullis/quarantine?action=delete")
            .then()
                .statusCode(200)
                .body("action", equalTo("delete"))
                .body("results", hasSize(3))
                .body("results[0].outcome", equalTo("done"))
                .body("results[1].outcome", equalTo("done"))
                .body("results[2].outcome", equalTo("not_found"));
        }

        @Test
        void postShouldAcceptAnObjectWithIds() throws Exception {
            List<String> ids = quarantine.hold("m1", "spam", "a@portcullis.test", "b@portcullis.test");

            given().body("{\"ids\": [\"" + ids.get(0) + "\", \"" + ids.get(1) + "\"]}")
                .post("/portcullis/quarantine?action=release")
                .then().statusCode(200).body("results.outcome", equalTo(List.of("done", "done")));

            assertThat(quarantine.context().getSentMails()).hasSize(2);
        }

        @Test
        void postShouldReturn400WhenBodyIsNotAList() {
            given().body("{\"id\": 3}").post("/portcullis/quarantine?action=release")
                .then().statusCode(400).body("message", containsString("non-empty JSON list"));
            given().body("not json").post("/portcullis/quarantine?action=release")
                .then().statusCode(400).body("message", containsString("invalid JSON"));
        }

        @Test
        void postShouldReturn400WhenActionMissing() {
            given().body("[\"x\"]").post("/portcullis/quarantine")
                .then().statusCode(400).body("message", containsString("missing 'action'"));
        }
    }
}
