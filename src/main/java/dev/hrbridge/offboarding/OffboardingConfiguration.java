package dev.hrbridge.offboarding;

import dev.hrbridge.config.Settings;
import dev.hrbridge.inbox.Flows;
import dev.hrbridge.inbox.Inbox;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;

/** Beans of the offboarding revoke flow ({@code routes/offboarding-revoke.camel.yaml}). */
public class OffboardingConfiguration implements CamelConfiguration {

    @BeanInject
    private Settings settings;

    @Override
    public void configure(CamelContext camelContext) {
        Inbox inbox = camelContext.getRegistry().lookupByNameAndType("inbox", Inbox.class);
        camelContext.getRegistry().lookupByNameAndType("flows", Flows.class).declare(OffboardingRevoke.FLOW);
        camelContext.getRegistry().bind("offboardingRevoke",
                new OffboardingRevoke(inbox, settings.require("hrb.offboarding.default-user-id-type")));
    }
}
