package dev.hrbridge.feishu.longconnection;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and writes {@code pbbp2.Frame} (proto2) with protobuf's coded streams:
 * <pre>
 * message Header { required string key = 1; required string value = 2; }
 * message Frame  { required uint64 SeqID = 1; required uint64 LogID = 2; required int32 service = 3;
 *                  required int32 method = 4; repeated Header headers = 5; optional string payload_encoding = 6;
 *                  optional string payload_type = 7; optional bytes payload = 8; optional string LogIDNew = 9; }
 * </pre>
 * The required fields are always written (Feishu's parser refuses a frame without them) and must be present in
 * what we read. Fields we do not know are skipped, as protobuf does.
 */
final class FrameCodec {

    private static final int LENGTH_DELIMITED = WireFormat.WIRETYPE_LENGTH_DELIMITED;
    private static final int VARINT = WireFormat.WIRETYPE_VARINT;

    private FrameCodec() {
    }

    static byte[] encode(Frame frame) {
        byte[] bytes = new byte[size(frame)];
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        try {
            out.writeUInt64(1, frame.seqId());
            out.writeUInt64(2, frame.logId());
            out.writeInt32(3, frame.service());
            out.writeInt32(4, frame.method());
            for (Frame.Header header : frame.headers()) {
                out.writeTag(5, LENGTH_DELIMITED);
                out.writeUInt32NoTag(size(header));
                out.writeString(1, header.key());
                out.writeString(2, header.value());
            }
            if (frame.payloadEncoding() != null) {
                out.writeString(6, frame.payloadEncoding());
            }
            if (frame.payloadType() != null) {
                out.writeString(7, frame.payloadType());
            }
            if (frame.payload() != null) {
                out.writeByteArray(8, frame.payload());
            }
            if (frame.logIdNew() != null) {
                out.writeString(9, frame.logIdNew());
            }
            out.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new IllegalStateException("frame size computed wrongly", e);
        }
        return bytes;
    }

    /** The frame in {@code bytes}; {@link MalformedFrameException} when they are not a complete, valid frame. */
    static Frame decode(byte[] bytes) throws MalformedFrameException {
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        long seqId = 0;
        long logId = 0;
        int service = 0;
        int method = 0;
        int required = 0;
        List<Frame.Header> headers = new ArrayList<>();
        String payloadEncoding = null;
        String payloadType = null;
        byte[] payload = null;
        String logIdNew = null;
        try {
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                int field = WireFormat.getTagFieldNumber(tag);
                int wireType = WireFormat.getTagWireType(tag);
                if (field >= 1 && field <= 4 && wireType == VARINT) {
                    switch (field) {
                        case 1 -> seqId = in.readUInt64();
                        case 2 -> logId = in.readUInt64();
                        case 3 -> service = in.readInt32();
                        default -> method = in.readInt32();
                    }
                    required |= 1 << field;
                } else if (field == 5 && wireType == LENGTH_DELIMITED) {
                    int limit = in.pushLimit(in.readRawVarint32());
                    headers.add(readHeader(in));
                    in.popLimit(limit);
                } else if (field >= 6 && field <= 9 && wireType == LENGTH_DELIMITED) {
                    switch (field) {
                        case 6 -> payloadEncoding = in.readString();
                        case 7 -> payloadType = in.readString();
                        case 8 -> payload = in.readByteArray();
                        default -> logIdNew = in.readString();
                    }
                } else if (!in.skipField(tag)) {
                    throw new MalformedFrameException("unexpected end-group tag");
                }
            }
        } catch (MalformedFrameException e) {
            throw e;
        } catch (IOException e) {
            throw new MalformedFrameException("not a protobuf frame: " + e.getMessage());
        }
        for (int field = 1; field <= 4; field++) {
            if ((required & (1 << field)) == 0) {
                throw new MalformedFrameException("required field " + field + " missing");
            }
        }
        return new Frame(seqId, logId, service, method, headers, payloadEncoding, payloadType, payload, logIdNew);
    }

    private static Frame.Header readHeader(CodedInputStream in) throws IOException {
        String key = null;
        String value = null;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            int field = WireFormat.getTagFieldNumber(tag);
            if (field == 1 && WireFormat.getTagWireType(tag) == LENGTH_DELIMITED) {
                key = in.readString();
            } else if (field == 2 && WireFormat.getTagWireType(tag) == LENGTH_DELIMITED) {
                value = in.readString();
            } else if (!in.skipField(tag)) {
                throw new MalformedFrameException("unexpected end-group tag in a header");
            }
        }
        if (key == null || value == null) {
            throw new MalformedFrameException("header without " + (key == null ? "key" : "value"));
        }
        return new Frame.Header(key, value);
    }

    private static int size(Frame frame) {
        int size = CodedOutputStream.computeUInt64Size(1, frame.seqId())
                + CodedOutputStream.computeUInt64Size(2, frame.logId())
                + CodedOutputStream.computeInt32Size(3, frame.service())
                + CodedOutputStream.computeInt32Size(4, frame.method());
        for (Frame.Header header : frame.headers()) {
            int headerSize = size(header);
            size += CodedOutputStream.computeTagSize(5) + CodedOutputStream.computeUInt32SizeNoTag(headerSize) + headerSize;
        }
        if (frame.payloadEncoding() != null) {
            size += CodedOutputStream.computeStringSize(6, frame.payloadEncoding());
        }
        if (frame.payloadType() != null) {
            size += CodedOutputStream.computeStringSize(7, frame.payloadType());
        }
        if (frame.payload() != null) {
            size += CodedOutputStream.computeByteArraySize(8, frame.payload());
        }
        if (frame.logIdNew() != null) {
            size += CodedOutputStream.computeStringSize(9, frame.logIdNew());
        }
        return size;
    }

    private static int size(Frame.Header header) {
        return CodedOutputStream.computeStringSize(1, header.key()) + CodedOutputStream.computeStringSize(2, header.value());
    }
}
