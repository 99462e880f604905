package dev.hrbridge.hire;

import java.time.Instant;

/**
 * A Feishu Hire eco account bound to us (hire.eco_account.created_v1), as stored in {@code eco_account}: which of our
 * customers it is, and whether that customer's catalogue reached Feishu.
 *
 * @param usageList       the event's {@code usage_list}, JSON
 * @param customFieldList the event's {@code custom_field_list}, JSON
 * @param customerId      our customer, null when none could be resolved
 * @param feishuApp       the configured Feishu app the event came in through; its catalogue push is made as that app
 * @param tenantKey       the Feishu tenant (the Hire customer's) the account was bound in, whose token the push carries
 */
public record EcoAccount(String accountId, int scope, String accountName, String usageList, String customFieldList,
                         String customerId, String status, String unmatchedReason, String eventId, Instant pushedAt,
                         String pushOutcome, String pushError, Instant createdAt, Instant updatedAt, String feishuApp,
                         String tenantKey) {

    public static final int BACKGROUND_CHECK = 1;
    public static final int EXAM = 2;

    public static final String BOUND = "bound";
    public static final String UNMATCHED = "unmatched";

    /** Why an account is unmatched: the event has no custom field naming a customer, or names one we do not know. */
    public static final String NO_CUSTOMER_FIELD = "no_customer_field";
    public static final String UNKNOWN_CUSTOMER = "unknown_customer";
    /** The customer is known but offers nothing for the account's scope (no packages for a background-check account). */
    public static final String NO_CATALOGUE_FOR_SCOPE = "no_catalogue_for_scope";

    public boolean bound() {
        return BOUND.equals(status);
    }

    public boolean pushed() {
        return pushedAt != null;
    }

    /** This account with how its push went at {@code now}: pushed ({@code pushedAt} set) or {@code outcome} with {@code error}. */
    EcoAccount withPush(Instant pushedAt, String outcome, String error, Instant now) {
        return new EcoAccount(accountId, scope, accountName, usageList, customFieldList, customerId, status, unmatchedReason,
                eventId, pushedAt, outcome, error, createdAt, now, feishuApp, tenantKey);
    }
}
