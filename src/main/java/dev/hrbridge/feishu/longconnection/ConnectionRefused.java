package dev.hrbridge.feishu.longconnection;

/**
 * Feishu refused the app for a reason retrying cannot fix: wrong credentials, long connection not enabled, too
 * many connections (Feishu allows 50 per app). The client stops trying and reports it until asked to reconnect.
 */
class ConnectionRefused extends Exception {

    private final int code;

    ConnectionRefused(int code, String message) {
        super(message);
        this.code = code;
    }

    int code() {
        return code;
    }
}
