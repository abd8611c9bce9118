package io.portcullis.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

class StoredTextTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void fitShouldKeepAShortCleanValueAsItIs() {
        assertThat(StoredText.fit("Quarterly report", 998)).isEqualTo("Quarterly report");
        assertThat(StoredText.fit(HostileText.EIGHT_BIT, 998)).isEqualTo(HostileText.EIGHT_BIT);
        assertThat(StoredText.fit(null, 10)).isNull();
    }

    @Test
    void fitShouldCutALongValueAndMarkItWhenTooLong() {
        String fitted = StoredText.fit(HostileText.LONG, 998);

        assertThat(fitted).hasSize(998).startsWith("xxxx").endsWith(StoredText.ELLIPSIS);
    }

    @Test
    void fitShouldDropNulCharacters() {
        assertThat(StoredText.fit(HostileText.NUL, 100)).isEqualTo("beforeafter");
    }

    @Test
    void fitShouldReplaceUnpairedSurrogates() {
        assertThat(StoredText.fit(HostileText.HALF_PAIRS, 100)).isEqualTo("cut\uFFFDhere\uFFFDtoo");
    }

    @Test
    void fitShouldNeverCutInsideASurrogatePairWhenCutting() {
        for (int max = 2; max < 12; max++) {
            String fitted = StoredText.fit(HostileText.PAIRS, max);
            assertThat(fitted.length()).isLessThanOrEqualTo(max);
            assertThat(StoredText.clean(fitted)).isEqualTo(fitted);
            assertThat(fitted).endsWith(StoredText.ELLIPSIS);
        }
    }

    @Test
    void fitJsonShouldFitQuotesOnceEscaped() throws Exception {
        Map<String, String> info = new LinkedHashMap<>();
        info.put("Held area", "spam");
        info.put("Attachments", HostileText.QUOTES);

        String json = StoredText.fitJson(info, 8000);

        assertThat(json.length()).isLessThanOrEqualTo(8000);
        Map<String, String> back = JSON.readValue(json, new TypeReference<LinkedHashMap<String, String>>() { });
        assertThat(back).containsEntry("Held area", "spam");
        assertThat(back.get("Attachments")).startsWith("\"\"\"\"").endsWith(StoredText.ELLIPSIS);
        assertThat(back.get("Attachments").length()).isGreaterThan(3900);
    }

    @Test
    void fitJsonShouldFitEveryHostileValueTogether() throws Exception {
        Map<String, String> info = new LinkedHashMap<>();
        int i = 0;
        for (String value : HostileText.ALL) {
            info.put("k" + i++, value);
        }
        info.put("controls", "\u0001".repeat(5000));

        String json = StoredText.fitJson(info, 8000);

        assertThat(json.length()).isLessThanOrEqualTo(8000);
        Map<String, String> back = JSON.readValue(json, new TypeReference<LinkedHashMap<String, String>>() { });
        assertThat(back).containsOnlyKeys("k0", "k1", "k2", "k3", "k4", "k5", "controls");
        assertThat(back.get("k2")).isEqualTo("beforeafter");
        assertThat(back.get("k5")).isEqualTo(HostileText.EIGHT_BIT);
        back.values().forEach(value -> assertThat(StoredText.clean(value)).isEqualTo(value));
    }

    @Test
    void fitJsonShouldKeepASmallObjectAsItIs() {
        assertThat(StoredText.fitJson(Map.of("Held area", "spam"), 8000)).isEqualTo("{\"Held area\":\"spam\"}");
    }
}
