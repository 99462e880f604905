package dev.hrbridge.db;

/**
 * The lengths of the bounded columns that outside input reaches, as the migrations declare them
 * ({@code ColumnLimitsTest} holds the two together on H2 and PostgreSQL). Input is checked against these before it
 * is acknowledged, so that a stored or acknowledged message is never refused by its table later.
 */
public final class ColumnLimits {

    /** {@code inbox.dedup_key}. */
    public static final int DEDUP_KEY = 512;
    /** {@code inbox.trace_id}, {@code dead_letter.trace_id}: an event id, v1 uuid or request id. */
    public static final int TRACE_ID = 128;
    /** {@code inbox.event_type}. */
    public static final int EVENT_TYPE = 128;
    /** {@code inbox.flow}, {@code dead_letter.flow}. */
    public static final int FLOW = 64;
    /** {@code inbox.outcome}: what a flow reports it did. */
    public static final int OUTCOME = 64;
    /** {@code inbox.platform_msg}, {@code dead_letter.platform_msg}. */
    public static final int PLATFORM_MSG = 1000;
    /** {@code inbox.last_error}, {@code dead_letter.error}. */
    public static final int ERROR = 2000;
    /** {@code eco_account.account_id}. */
    public static final int ECO_ACCOUNT_ID = 128;
    /** {@code onboarding_qr_code.id}, {@code onboarding_qr_code_unmanaged.id}: Feishu's QR code id. */
    public static final int QR_CODE_ID = 64;
    /** {@code onboarding_qr_code_unmanaged.url} and {@code .png}. */
    public static final int QR_CODE_LINK = 2000;

    /**
     * A Feishu app id and tenant key. The app id is part of an event's dedup key,
     * {@code "feishu:" + app_id + ":" + event_type + ":" + event_id}, which these bounds keep within {@link #DEDUP_KEY}.
     */
    public static final int APP_ID = 128;
    public static final int TENANT_KEY = 128;
    /** The name of a configured Feishu app ({@code default}, {@code feishu.apps.<name>}): {@code inbox.feishu_app} ... */
    public static final int APP_NAME = 64;
    /** {@code feishu_app_ticket.ticket}: the app_ticket Feishu pushes to a store app. */
    public static final int APP_TICKET = 1024;

    private ColumnLimits() {
    }

    /** {@code text} cut to {@code max} characters, for columns that keep a message's beginning (errors, platform text). */
    public static String truncate(String text, int max) {
        return text == null || text.length() <= max ? text : text.substring(0, max);
    }
}
