package dev.hrbridge.hire;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hrbridge.api.ApiException;
import dev.hrbridge.api.ListPages;
import dev.hrbridge.api.QueryParameters;
import dev.hrbridge.db.ColumnLimits;
import dev.hrbridge.db.ListPosition;
import org.apache.camel.Exchange;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code GET /api/v1/eco-accounts[?status=bound|unmatched&tenant_key=&limit=&cursor=]}: the stored bindings, newest
 * first, each with the Feishu app and tenant it was bound in.
 */
public class EcoAccountsView {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> STATUSES = List.of(EcoAccount.BOUND, EcoAccount.UNMATCHED);

    private final EcoAccountRepository repository;
    private final ListPages pages;

    public EcoAccountsView(EcoAccountRepository repository, ListPages pages) {
        this.repository = repository;
        this.pages = pages;
    }

    public String list(Exchange exchange) throws Exception {
        QueryParameters query = QueryParameters.of(exchange);
        String status = query.get("status");
        String wanted = status == null ? null : status.toLowerCase(Locale.ROOT);
        if (wanted != null && !STATUSES.contains(wanted)) {
            throw ApiException.invalidField("status", "status must be one of " + STATUSES);
        }
        String tenantKey = query.get("tenant_key");
        ApiException.checkLength("tenant_key", tenantKey, ColumnLimits.TENANT_KEY);
        ListPages.Page page = pages.page("eco-accounts", query, "status", "tenant_key");
        List<EcoAccount> accounts = repository.list(wanted, tenantKey, page.after(), page.fetch());
        return JSON.writeValueAsString(pages.answer(page, accounts,
                account -> new ListPosition(account.createdAt(), account.accountId()), EcoAccountsView::view));
    }

    private static Map<String, Object> view(EcoAccount account) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("account_id", account.accountId());
        view.put("scope", account.scope());
        view.put("account_name", account.accountName());
        view.put("usage_list", json(account.usageList()));
        view.put("custom_field_list", json(account.customFieldList()));
        putIfSet(view, "customer", account.customerId());
        view.put("status", account.status());
        putIfSet(view, "feishu_app", account.feishuApp());
        putIfSet(view, "tenant_key", account.tenantKey());
        putIfSet(view, "unmatched_reason", account.unmatchedReason());
        putIfSet(view, "pushed_at", account.pushedAt() == null ? null : account.pushedAt().toString());
        putIfSet(view, "push_outcome", account.pushOutcome());
        putIfSet(view, "push_error", account.pushError());
        view.put("event_id", account.eventId());
        view.put("created_at", account.createdAt().toString());
        view.put("updated_at", account.updatedAt().toString());
        return view;
    }

    private static Object json(String stored) {
        try {
            return JSON.readTree(stored);
        } catch (Exception e) {
            throw new IllegalStateException("eco_account holds a column that is not JSON", e);
        }
    }

    private static void putIfSet(Map<String, Object> view, String field, Object value) {
        if (value != null) {
            view.put(field, value);
        }
    }
}
