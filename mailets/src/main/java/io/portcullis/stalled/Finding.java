package io.portcullis.stalled;

/**
 * One thing the filters cannot scan.
 *
 * @param kind     what sort of obstacle
 * @param reason   readable, e.g. {@code "password-protected archive invoice.zip"}
 */
public record Finding(Kind kind, String reason) {
    public enum Kind {
        /** PGP encrypted (PGP/MIME or inline). */
        PGP("pgp"),
        /** S/MIME {@code application/pkcs7-mime} (encrypted, or opaque signed: the content is not readable either). */
        SMIME("smime"),
        /** Password-protected / encrypted archive or Office document. */
        PASSWORD("password"),
        /** Office document with macros. */
        MACRO("none"),
        /** A part that does not parse. */
        PARSE_ERROR("none");

        private final String security;

        Kind(String security) {
            this.security = security;
        }

        /** The message security value recorded in tracking: pgp, smime, password or none. */
        public String security() {
            return security;
        }

        public boolean isEncryptedMail() {
            return this == PGP || this == SMIME;
        }
    }
}
