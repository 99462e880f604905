package dev.hrbridge.api;

import dev.hrbridge.config.Settings;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;

/** Beans of the inbound HTTP side that every /api route uses. */
public class ApiConfiguration implements CamelConfiguration {

    @BeanInject
    private Settings settings;

    @BindToRegistry
    public ApiTokenCheck apiTokenCheck() {
        return new ApiTokenCheck(settings.require("hrb.api.token"));
    }

    @BindToRegistry
    public ListPages listPages() {
        return new ListPages(settings.require("hrb.api.token"));
    }

    @BindToRegistry
    public PathParameters pathParameters() {
        return new PathParameters();
    }

    @BindToRegistry
    public ApiErrorResponder apiErrorResponder() {
        return new ApiErrorResponder();
    }
}
