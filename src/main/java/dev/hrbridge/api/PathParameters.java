package dev.hrbridge.api;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;

/**
 * Sets the header of each {@code {name}} in a route's path template to that segment of the request path. platform-http
 * adds a path parameter to any request header or query parameter of the same name ({@code id: x} sent as a header
 * turns {@code id} into a list of both), so the routes that read one run this step first. The path is
 * {@code CamelHttpPath}, which platform-http sets from the request line; ids are made of characters that Vert.x has
 * already decoded there.
 */
public class PathParameters implements Processor {

    @Override
    public void process(Exchange exchange) {
        String[] template = ((PlatformHttpEndpoint) exchange.getFromEndpoint()).getPath().split("/");
        String[] path = exchange.getIn().getHeader(Exchange.HTTP_PATH, String.class).split("/");
        for (int i = 0; i < template.length && i < path.length; i++) {
            if (template[i].startsWith("{") && template[i].endsWith("}")) {
                exchange.getIn().setHeader(template[i].substring(1, template[i].length() - 1), path[i]);
            }
        }
    }
}
