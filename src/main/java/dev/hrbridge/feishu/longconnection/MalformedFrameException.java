package dev.hrbridge.feishu.longconnection;

import java.io.IOException;

/** Bytes on the long connection that are not a valid {@code pbbp2.Frame}, or a frame whose headers make no sense. */
class MalformedFrameException extends IOException {

    MalformedFrameException(String message) {
        super(message);
    }
}
