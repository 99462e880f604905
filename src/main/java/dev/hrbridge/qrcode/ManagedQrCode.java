package dev.hrbridge.qrcode;

import java.time.Instant;

/** An onboarding QR code HR Bridge created in Feishu, with its place in the rotation chain. */
public record ManagedQrCode(String id, String url, String png, String dimensionValueList, Status status,
                            String replacedBy, String replaces, Instant createdAt) {

    public enum Status {
        ACTIVE, INACTIVE, REPLACED;

        public String column() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The code as a fresh replacement of {@code old}: active, same dimensions. */
    public static ManagedQrCode replacing(ManagedQrCode old, String id, String url, String png, Instant createdAt) {
        return new ManagedQrCode(id, url, png, old.dimensionValueList(), Status.ACTIVE, null, old.id(), createdAt);
    }
}
