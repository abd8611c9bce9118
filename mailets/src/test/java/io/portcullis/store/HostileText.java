package io.portcullis.store;

import java.util.List;

/** Values a sender controls that once made store writes fail, for the hostile-value tests of every store. */
public final class HostileText {
    /** 4,500 double quotes: 9,000 characters once escaped in JSON. */
    public static final String QUOTES = "\"".repeat(4500);
    /** 100 KB of text. */
    public static final String LONG = "x".repeat(100_000);
    public static final String NUL = "before\u0000after";
    /** A high surrogate without its low half, then a low one without its high half. */
    public static final String HALF_PAIRS = "cut\uD83Dhere\uDE00too";
    /** 5,000 emoji: every cut must fall between two pairs. */
    public static final String PAIRS = "\uD83D\uDE00".repeat(5000);
    /** 8-bit header bytes read as ISO-8859-1. */
    public static final String EIGHT_BIT = "caf\u00e9 \u00ff\u0080\u009f r\u00e9sum\u00e9";

    public static final List<String> ALL = List.of(QUOTES, LONG, NUL, HALF_PAIRS, PAIRS, EIGHT_BIT);

    private HostileText() {
    }

    /** True when {@code value} could be stored in a VARCHAR({@code max}) of Derby and PostgreSQL alike. */
    public static boolean fits(String value, int max) {
        return value.length() <= max && value.indexOf('\u0000') < 0 && StoredText.clean(value).equals(value);
    }
}
