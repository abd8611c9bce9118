package db.migration.portcullis;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;

import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

import io.portcullis.tracking.store.SubjectTokens;

/**
 * Fills the subject word index created by {@code V6__tracking_search.sql} for the messages stored before it
 * (splitting a subject into words is not portable SQL). New messages are indexed by TrackingDao.
 */
public class V6_1__tracking_subject_tokens extends BaseJavaMigration {
    @Override
    public void migrate(Context context) throws Exception {
        Connection connection = context.getConnection();
        try (Statement select = connection.createStatement();
             PreparedStatement insert = connection.prepareStatement(
                 "INSERT INTO tracking_subject_token (tracking_id, token, first_seen) VALUES (?, ?, ?)")) {
            select.setFetchSize(1000);
            int pending = 0;
            try (ResultSet rs = select.executeQuery("SELECT tracking_id, subject_lc, first_seen FROM tracking_message WHERE subject_lc IS NOT NULL")) {
                while (rs.next()) {
                    for (String token : SubjectTokens.of(rs.getString(2))) {
                        insert.setString(1, rs.getString(1));
                        insert.setString(2, token);
                        insert.setLong(3, rs.getLong(3));
                        insert.addBatch();
                        if (++pending == 1000) {
                            insert.executeBatch();
                            pending = 0;
                        }
                    }
                }
            }
            if (pending > 0) {
                insert.executeBatch();
            }
        }
    }
}
