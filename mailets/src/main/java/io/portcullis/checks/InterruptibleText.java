package io.portcullis.checks;

/**
 * A text handed to a regular expression an administrator wrote, which stops the match when the thread is
 * interrupted: Java's matcher never looks at the interrupt flag, so a rule that backtracks badly would otherwise run
 * on after the scoring time budget abandoned its check. The flag is looked at once every few thousand characters read.
 */
final class InterruptibleText implements CharSequence {
    /** Thrown out of the match when the thread was interrupted. */
    static final class Interrupted extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Interrupted() {
            super("content rule interrupted: the scoring time budget ran out", null, false, false);
        }
    }

    private static final int CHECK_EVERY = 4096;

    private final CharSequence text;
    private int reads;

    InterruptibleText(CharSequence text) {
        this.text = text;
    }

    @Override
    public char charAt(int index) {
        if (++reads >= CHECK_EVERY) {
            reads = 0;
            if (Thread.currentThread().isInterrupted()) {
                throw new Interrupted();
            }
        }
        return text.charAt(index);
    }

    @Override
    public int length() {
        return text.length();
    }

    @Override
    public CharSequence subSequence(int start, int end) {
        return text.subSequence(start, end);
    }

    @Override
    public String toString() {
        return text.toString();
    }
}
