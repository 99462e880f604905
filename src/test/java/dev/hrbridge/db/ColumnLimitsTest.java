package dev.hrbridge.db;

import dev.hrbridge.config.Settings;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The bounds input is checked against are the lengths the migrations give the columns, on H2 and PostgreSQL alike. */
class ColumnLimitsTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void everyBoundIsTheLengthOfItsColumns(String vendor) throws Exception {
        Map<String, String> settings = vendor.equals("h2")
                ? Map.of("hrb.db.url", "jdbc:h2:file:" + dir.resolve("hrb").toAbsolutePath())
                : Map.of("hrb.db.url", PostgresServer.newDatabase(), "hrb.db.user", "postgres", "hrb.db.password", "postgres");
        Map<String, Integer> expected = new LinkedHashMap<>();
        expected.put("inbox.dedup_key", ColumnLimits.DEDUP_KEY);
        expected.put("inbox.trace_id", ColumnLimits.TRACE_ID);
        expected.put("dead_letter.trace_id", ColumnLimits.TRACE_ID);
        expected.put("inbox.event_type", ColumnLimits.EVENT_TYPE);
        expected.put("inbox.flow", ColumnLimits.FLOW);
        expected.put("dead_letter.flow", ColumnLimits.FLOW);
        expected.put("inbox.outcome", ColumnLimits.OUTCOME);
        expected.put("inbox.platform_msg", ColumnLimits.PLATFORM_MSG);
        expected.put("dead_letter.platform_msg", ColumnLimits.PLATFORM_MSG);
        expected.put("inbox.last_error", ColumnLimits.ERROR);
        expected.put("dead_letter.error", ColumnLimits.ERROR);
        expected.put("eco_account.account_id", ColumnLimits.ECO_ACCOUNT_ID);
        expected.put("onboarding_qr_code.id", ColumnLimits.QR_CODE_ID);
        expected.put("onboarding_qr_code_unmanaged.id", ColumnLimits.QR_CODE_ID);
        expected.put("onboarding_qr_code_unmanaged.url", ColumnLimits.QR_CODE_LINK);
        expected.put("onboarding_qr_code_unmanaged.png", ColumnLimits.QR_CODE_LINK);
        expected.put("inbox.feishu_app", ColumnLimits.APP_NAME);
        expected.put("inbox.tenant_key", ColumnLimits.TENANT_KEY);
        expected.put("eco_account.feishu_app", ColumnLimits.APP_NAME);
        expected.put("eco_account.tenant_key", ColumnLimits.TENANT_KEY);
        expected.put("feishu_app_ticket.app_id", ColumnLimits.APP_ID);
        expected.put("feishu_app_ticket.ticket", ColumnLimits.APP_TICKET);
        expected.put("feishu_tenant.feishu_app", ColumnLimits.APP_NAME);
        expected.put("feishu_tenant.tenant_key", ColumnLimits.TENANT_KEY);
        try (Database database = Database.open(Settings.load(settings));
             Connection connection = database.dataSource().getConnection();
             PreparedStatement select = connection.prepareStatement("SELECT character_maximum_length FROM "
                     + "information_schema.columns WHERE LOWER(table_name) = ? AND LOWER(column_name) = ?")) {
            for (Map.Entry<String, Integer> column : expected.entrySet()) {
                String[] name = column.getKey().toLowerCase(Locale.ROOT).split("\\.");
                select.setString(1, name[0]);
                select.setString(2, name[1]);
                try (ResultSet rows = select.executeQuery()) {
                    assertThat(rows.next()).as(column.getKey()).isTrue();
                    assertThat(rows.getInt(1)).as(column.getKey()).isEqualTo(column.getValue());
                }
            }
        }
    }

    @Test
    void theLongestEventKeyFitsTheDedupKeyColumn() {
        int longest = "feishu:".length() + ColumnLimits.APP_ID + 1 + ColumnLimits.EVENT_TYPE + 1 + ColumnLimits.TRACE_ID;
        assertThat(longest).isLessThanOrEqualTo(ColumnLimits.DEDUP_KEY);
    }
}
