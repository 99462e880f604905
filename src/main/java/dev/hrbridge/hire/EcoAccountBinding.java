package dev.hrbridge.hire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hrbridge.db.ColumnLimits;
import dev.hrbridge.feishu.FeishuApp;
import dev.hrbridge.feishu.FeishuCall;
import dev.hrbridge.hire.CustomerCatalogue.Customer;
import dev.hrbridge.inbox.InboxDispatcher;
import dev.hrbridge.inbox.InboxRepository;
import dev.hrbridge.outbound.DeferredFailure;
import dev.hrbridge.outbound.PermanentFailure;
import dev.hrbridge.outbound.RetryPolicy;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The Java steps of the {@code eco-account-created} route: store the binding of a new Hire eco account once per
 * account_id with the customer it belongs to, build the catalogue push for it, and record how the push went.
 */
public class EcoAccountBinding {

    /** Route headers: the account's scope (1 background check, 2 exam) and whether its catalogue is still to push. */
    public static final String SCOPE = "HrbEcoAccountScope";
    public static final String PUSH_DUE = "HrbEcoAccountPushDue";
    static final String ACCOUNT = "HrbEcoAccount";
    /** Exchange property: the binding in {@link #ACCOUNT} is not stored yet (it is, with the push's outcome). */
    private static final String UNSTORED = "HrbEcoAccountUnstored";
    static final String FLOW = "eco-account-binding";
    /** The event the router sends this flow (routes/event-router.camel.yaml). */
    static final String EVENT_TYPE = "hire.eco_account.created_v1";

    private static final Logger LOG = LoggerFactory.getLogger(EcoAccountBinding.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final EcoAccountRepository repository;
    private final CustomerCatalogue catalogue;
    private final String customerField;
    private final RetryPolicy retryPolicy;
    private final Clock clock;

    public EcoAccountBinding(EcoAccountRepository repository, CustomerCatalogue catalogue, String customerField,
                             RetryPolicy retryPolicy, Clock clock) {
        this.repository = repository;
        this.catalogue = catalogue;
        this.customerField = customerField;
        this.retryPolicy = retryPolicy;
        this.clock = clock;
    }

    /**
     * Stores the event's account with the customer its custom field names, unless the account_id is stored already
     * (a redelivery, a replay, a second event for the same account): then the stored binding stands. Sets
     * {@link #PUSH_DUE} when the account is bound and its catalogue has not reached Feishu yet.
     */
    public void bind(Exchange exchange) throws Exception {
        Message in = exchange.getMessage();
        in.setHeader(PUSH_DUE, false);
        String eventId = in.getHeader("HrbTraceId", String.class);
        JsonNode event = JSON.readTree(in.getBody(String.class)).path("event");
        String accountId = event.path("account_id").asText("").trim();
        int scope = event.path("scope").asInt(0);
        if (accountId.isEmpty() || accountId.length() > ColumnLimits.ECO_ACCOUNT_ID
                || (scope != EcoAccount.BACKGROUND_CHECK && scope != EcoAccount.EXAM)) {
            // nothing to bind and nothing a retry could change; kept visible as UNHANDLED instead of a retry storm
            LOG.warn("Eco account event {} has no account_id (or one over {} characters) or an unknown scope ({}); not bound",
                    eventId, ColumnLimits.ECO_ACCOUNT_ID, event.path("scope"));
            in.setHeader(InboxDispatcher.FINAL_STATE, "UNHANDLED");
            in.setHeader(InboxDispatcher.OUTCOME, "invalid_eco_account_event");
            return;
        }
        EcoAccount account = repository.find(accountId).orElse(null);
        if (account != null) {
            LOG.info("Eco account {} ({}) is bound already; the stored binding stands", accountId, eventId);
        } else {
            account = newBinding(event, accountId, scope, eventId, in.getHeader(FeishuCall.FEISHU_APP, String.class),
                    in.getHeader(FeishuCall.TENANT_KEY, String.class));
            if (account.bound()) {
                // stored together with how its push went, one write instead of two; until then a crash leaves nothing,
                // and the event's next attempt binds it anew, as it would push again after a crash with the row stored
                exchange.setProperty(UNSTORED, true);
            } else {
                account = store(account);
            }
        }
        exchange.setProperty(ACCOUNT, account);
        in.setHeader(SCOPE, account.scope());
        if (!account.bound()) {
            in.setHeader(InboxDispatcher.OUTCOME, EcoAccount.NO_CATALOGUE_FOR_SCOPE.equals(account.unmatchedReason())
                    ? EcoAccount.NO_CATALOGUE_FOR_SCOPE : "unmatched_customer");
            LOG.warn("Eco account {} ({}) is unmatched: {}; it stays visible in GET /api/v1/eco-accounts?status=unmatched",
                    account.accountId(), eventId, account.unmatchedReason());
        } else if (account.pushed()) {
            in.setHeader(InboxDispatcher.OUTCOME, "already_pushed");
        } else {
            in.setHeader(PUSH_DUE, true);
        }
    }

    /** Stores {@code account} unless its account_id was stored meanwhile (another instance): then that binding stands. */
    private EcoAccount store(EcoAccount account) throws Exception {
        return repository.insertIfAbsent(account) ? account : repository.find(account.accountId()).orElseThrow();
    }

    private EcoAccount newBinding(JsonNode event, String accountId, int scope, String eventId, String feishuApp,
                                  String tenantKey) throws Exception {
        JsonNode fields = event.path("custom_field_list");
        Optional<String> customerId = customerIdOf(fields);
        Optional<Customer> customer = customerId.flatMap(catalogue::customer);
        String reason = customerId.isEmpty() ? EcoAccount.NO_CUSTOMER_FIELD
                : customer.isEmpty() ? EcoAccount.UNKNOWN_CUSTOMER
                : !customer.get().serves(scope) ? EcoAccount.NO_CATALOGUE_FOR_SCOPE
                : null;
        Instant now = clock.instant();
        return new EcoAccount(accountId, scope, event.path("account_name").asText(null),
                JSON.writeValueAsString(event.path("usage_list").isArray() ? event.path("usage_list") : JSON.createArrayNode()),
                JSON.writeValueAsString(fields.isArray() ? fields : JSON.createArrayNode()),
                customer.map(Customer::id).orElse(null), reason == null ? EcoAccount.BOUND : EcoAccount.UNMATCHED, reason,
                eventId, null, null, null, now, now, feishuApp, tenantKey);
    }

    /** The value of the custom field whose key is {@code hrb.eco.customer-field}. */
    private Optional<String> customerIdOf(JsonNode fields) {
        for (JsonNode field : fields) {
            if (customerField.equals(field.path("key").asText()) && !field.path("value").asText("").isBlank()) {
                return Optional.of(field.path("value").asText().trim());
            }
        }
        return Optional.empty();
    }

    /**
     * The body of the create call: the bound customer's packages (scope 1) or exam papers (scope 2). The catalogue is
     * shared by every tenant (keyed by our customer); the call is made as the app and in the tenant the account was
     * bound in ({@code HrbFeishuApp}, {@code HrbTenantKey}), whatever event led here.
     */
    public Map<String, Object> pushRequest(Exchange exchange) {
        EcoAccount account = exchange.getProperty(ACCOUNT, EcoAccount.class);
        Message message = exchange.getMessage();
        message.setHeader(FeishuCall.FEISHU_APP, account.feishuApp() == null ? FeishuApp.DEFAULT : account.feishuApp());
        if (account.tenantKey() == null) {
            message.removeHeader(FeishuCall.TENANT_KEY);
        } else {
            message.setHeader(FeishuCall.TENANT_KEY, account.tenantKey());
        }
        Customer customer = catalogue.customer(account.customerId()).filter(c -> c.serves(account.scope()))
                .orElseThrow(() -> new IllegalStateException("customer " + account.customerId() + " of eco account "
                        + account.accountId() + " offers nothing for scope " + account.scope() + " in the catalogue "
                        + catalogue.location() + " any more; restore it there, then replay the dead letter"));
        return customer.pushRequest(account.accountId(), account.scope());
    }

    /** Feishu accepted the catalogue: recorded, so no later event or replay pushes it again. */
    public void pushed(Exchange exchange) throws Exception {
        EcoAccount account = exchange.getProperty(ACCOUNT, EcoAccount.class);
        Instant now = clock.instant();
        boolean unstored = exchange.getProperty(UNSTORED, false, Boolean.class);
        InboxRepository.ResultWrite record = connection -> repository.storePushed(connection, account, unstored, now);
        // with the event's result, in its commit: a commit of its own per event cost more than the rest of the flow
        if (!InboxDispatcher.writeWithResult(exchange, record)) {
            repository.inTransaction(record);
        }
        exchange.getMessage().setHeader(InboxDispatcher.OUTCOME, "pushed");
        LOG.info("Eco account {} of customer {}: catalogue pushed to Feishu (app {}, tenant {})", account.accountId(),
                account.customerId(), account.feishuApp(), account.tenantKey());
    }

    /** The push failed: the binding says whether it will be tried again; the failure goes on to the dispatcher. */
    public void pushFailed(Exchange exchange) throws Exception {
        Exception failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        EcoAccount account = exchange.getProperty(ACCOUNT, EcoAccount.class);
        Instant now = clock.instant();
        if (failure instanceof DeferredFailure) {
            if (exchange.getProperty(UNSTORED, false, Boolean.class)) {
                store(account);
            }
        } else {
            int attempt = exchange.getMessage().getHeader("HrbAttempt", 1, Integer.class);
            boolean last = failure instanceof PermanentFailure || attempt >= retryPolicy.maxAttempts(FLOW);
            String outcome = last ? "failed" : "retrying";
            String error = String.valueOf(failure.getMessage());
            if (!exchange.getProperty(UNSTORED, false, Boolean.class)
                    || !repository.insertIfAbsent(account.withPush(null, outcome, error, now))) {
                repository.recordPushFailure(account.accountId(), outcome, error, now);
            }
        }
        throw failure;
    }
}
