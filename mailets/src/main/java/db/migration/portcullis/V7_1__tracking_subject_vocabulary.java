package db.migration.portcullis;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

import io.portcullis.tracking.store.SubjectTokens;
import io.portcullis.tracking.store.SubjectVocabulary;

/**
 * Fills the subject vocabulary created by {@code V7__tracking_subject_vocabulary.sql} from the words already
 * indexed in {@code tracking_subject_token} (the distinct tokens, read in index order: nothing is held in memory
 * but the few words of 64 characters or more). A token of {@link SubjectTokens#MAX_LENGTH} characters may be a
 * truncated longer word: those words are read back from the subjects that have the token. New messages are
 * added by TrackingDao.
 */
public class V7_1__tracking_subject_vocabulary extends BaseJavaMigration {
    private static final int BATCH = 1_000;

    @Override
    public void migrate(Context context) throws Exception {
        Connection connection = context.getConnection();
        try (Statement select = connection.createStatement();
             PreparedStatement vocab = connection.prepareStatement("INSERT INTO tracking_subject_vocab (word_key) VALUES (?)");
             PreparedStatement suffix = connection.prepareStatement("INSERT INTO tracking_subject_suffix (suffix, word_key, token) VALUES (?, ?, ?)")) {
            select.setFetchSize(BATCH);
            List<String> full = new ArrayList<>();
            Batch batch = new Batch(vocab, suffix);
            try (ResultSet rs = select.executeQuery("SELECT DISTINCT token FROM tracking_subject_token")) {
                while (rs.next()) {
                    String token = rs.getString(1);
                    if (token.length() < SubjectTokens.MAX_LENGTH) {
                        batch.add(token);
                    } else {
                        full.add(token);
                    }
                }
            }
            batch.flush();
            Set<String> longWords = new LinkedHashSet<>();
            try (PreparedStatement subjects = connection.prepareStatement("SELECT m.subject_lc FROM tracking_subject_token t "
                    + "JOIN tracking_message m ON m.tracking_id = t.tracking_id WHERE t.token = ?")) {
                for (String token : full) {
                    subjects.setString(1, token);
                    try (ResultSet rs = subjects.executeQuery()) {
                        while (rs.next()) {
                            for (String word : SubjectTokens.words(rs.getString(1))) {
                                if (word.length() >= SubjectTokens.MAX_LENGTH && word.startsWith(token)) {
                                    longWords.add(word);
                                }
                            }
                        }
                    }
                }
            }
            Set<String> keys = new LinkedHashSet<>();
            for (String word : longWords) {
                if (keys.add(SubjectVocabulary.key(word))) {
                    batch.add(word);
                }
            }
            batch.flush();
        }
    }

    /** Batched inserts of new vocabulary words and their suffixes. */
    private static final class Batch {
        private final PreparedStatement vocab;
        private final PreparedStatement suffix;
        private int pending;

        Batch(PreparedStatement vocab, PreparedStatement suffix) {
            this.vocab = vocab;
            this.suffix = suffix;
        }

        void add(String word) throws Exception {
            vocab.setString(1, SubjectVocabulary.key(word));
            vocab.addBatch();
            for (SubjectVocabulary.SuffixRow row : SubjectVocabulary.suffixRows(word)) {
                suffix.setString(1, row.suffix());
                suffix.setString(2, row.wordKey());
                suffix.setString(3, row.token());
                suffix.addBatch();
            }
            if (++pending == BATCH) {
                flush();
            }
        }

        void flush() throws Exception {
            vocab.executeBatch();
            suffix.executeBatch();
            pending = 0;
        }
    }
}
