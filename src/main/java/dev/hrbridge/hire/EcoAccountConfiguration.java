package dev.hrbridge.hire;

import dev.hrbridge.api.ListPages;
import dev.hrbridge.config.Settings;
import dev.hrbridge.db.Database;
import dev.hrbridge.inbox.Flows;
import dev.hrbridge.outbound.RetryPolicy;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;

/** Beans of the Hire eco account binding flow ({@code routes/eco-account-binding.camel.yaml}). */
public class EcoAccountConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(EcoAccountConfiguration.class);

    @BeanInject
    private Settings settings;
    @BeanInject
    private Database database;

    @Override
    public void configure(CamelContext camelContext) {
        Registry registry = camelContext.getRegistry();
        CustomerCatalogue catalogue = CustomerCatalogue.load(settings);
        LOG.info("Hire eco accounts: {} customer(s) in the catalogue {}, customer named by the custom field '{}'",
                catalogue.size(), catalogue.location(), settings.require("hrb.eco.customer-field"));
        EcoAccountRepository repository = new EcoAccountRepository(database.dataSource());
        registry.bind("ecoAccountBinding", new EcoAccountBinding(repository, catalogue,
                settings.require("hrb.eco.customer-field"), registry.lookupByNameAndType("retryPolicy", RetryPolicy.class),
                Clock.systemUTC()));
        registry.lookupByNameAndType("flows", Flows.class).declare(EcoAccountBinding.FLOW, EcoAccountBinding.EVENT_TYPE);
        registry.bind("ecoAccountsView", new EcoAccountsView(repository,
                registry.lookupByNameAndType("listPages", ListPages.class)));
    }
}
