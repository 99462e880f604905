package dev.hrbridge.feishu.longconnection;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.URI;

/**
 * Feishu's answer to an endpoint request: the WebSocket URL to open (valid for one connection: its query carries a
 * one-time ticket, so it is never logged whole) and the client configuration that came with it.
 *
 * @param connectionId the URL's {@code device_id}, Feishu's name for this connection
 * @param serviceId    the URL's {@code service_id}, written into every ping
 */
record ConnectionTicket(URI url, String connectionId, int serviceId, JsonNode clientConfig) {

    /** Where the URL points, without its query: {@code host[:port]/path}. */
    String where() {
        return url.getAuthority() + (url.getRawPath() == null ? "" : url.getRawPath());
    }

    @Override
    public String toString() {
        return "ConnectionTicket[" + where() + ", conn_id=" + connectionId + "]";
    }
}
