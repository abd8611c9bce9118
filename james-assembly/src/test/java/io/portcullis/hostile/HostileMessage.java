package io.portcullis.hostile;

/**
 * One message of the hostile corpus: its place in the corpus, the family that made it, the envelope sender
 * that identifies it (unique per message, so it can be found again however broken its headers are), and the
 * raw bytes sent after {@code DATA} (before dot-stuffing).
 */
public record HostileMessage(int index, String family, String envelopeSender, byte[] content) {
    @Override
    public String toString() {
        return "#" + index + " " + family + " <" + envelopeSender + "> (" + content.length + " bytes)";
    }
}
