package dev.hrbridge.sandbox;

import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;

import java.util.ArrayList;
import java.util.List;

import static com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Label.LABEL_OPTIONAL;
import static com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Label.LABEL_REPEATED;
import static com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Label.LABEL_REQUIRED;
import static com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type.TYPE_BYTES;
import static com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type.TYPE_INT32;
import static com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type.TYPE_MESSAGE;
import static com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type.TYPE_STRING;
import static com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type.TYPE_UINT64;

/**
 * One binary message of Feishu's long connection: the proto2 message {@code pbbp2.Frame} that Feishu's SDKs exchange
 * with the server (larksuite oapi-sdk-java {@code ws/pb}, oapi-sdk-go {@code ws/pbbp2.pb.go}):
 * <pre>
 * message Header { required string key = 1; required string value = 2; }
 * message Frame  { required uint64 SeqID = 1; required uint64 LogID = 2; required int32 service = 3;
 *                  required int32 method = 4; repeated Header headers = 5; optional string payload_encoding = 6;
 *                  optional string payload_type = 7; optional bytes payload = 8; optional string LogIDNew = 9; }
 * </pre>
 * The simulator's own reading of it, built as a protobuf descriptor at run time and coded with
 * {@link DynamicMessage}: a frame missing a required field does not decode, as in the SDKs' generated code.
 * {@code seqId} and {@code logId} are unsigned 64-bit values carried in a {@code long}. Absent optional fields are null.
 */
record LongConnectionFrame(long seqId, long logId, int service, int method, List<Header> headers,
                           String payloadEncoding, String payloadType, byte[] payload, String logIdNew) {

    /** {@code method} of a ping, a pong. */
    static final int CONTROL = 0;
    /** {@code method} of an event (or card) pushed by Feishu, and of the client's acknowledgement of it. */
    static final int DATA = 1;

    /** One {@code pbbp2.Header}. */
    record Header(String key, String value) {
    }

    private static final Descriptor FRAME;
    private static final Descriptor HEADER;

    static {
        FileDescriptorProto file = FileDescriptorProto.newBuilder()
                .setName("pbbp2.proto").setPackage("pbbp2").setSyntax("proto2")
                .addMessageType(DescriptorProto.newBuilder().setName("Header")
                        .addField(field("key", 1, LABEL_REQUIRED, TYPE_STRING))
                        .addField(field("value", 2, LABEL_REQUIRED, TYPE_STRING)))
                .addMessageType(DescriptorProto.newBuilder().setName("Frame")
                        .addField(field("SeqID", 1, LABEL_REQUIRED, TYPE_UINT64))
                        .addField(field("LogID", 2, LABEL_REQUIRED, TYPE_UINT64))
                        .addField(field("service", 3, LABEL_REQUIRED, TYPE_INT32))
                        .addField(field("method", 4, LABEL_REQUIRED, TYPE_INT32))
                        .addField(field("headers", 5, LABEL_REPEATED, TYPE_MESSAGE).setTypeName(".pbbp2.Header"))
                        .addField(field("payload_encoding", 6, LABEL_OPTIONAL, TYPE_STRING))
                        .addField(field("payload_type", 7, LABEL_OPTIONAL, TYPE_STRING))
                        .addField(field("payload", 8, LABEL_OPTIONAL, TYPE_BYTES))
                        .addField(field("LogIDNew", 9, LABEL_OPTIONAL, TYPE_STRING)))
                .build();
        try {
            FileDescriptor descriptor = FileDescriptor.buildFrom(file, new FileDescriptor[0]);
            FRAME = descriptor.findMessageTypeByName("Frame");
            HEADER = descriptor.findMessageTypeByName("Header");
        } catch (DescriptorValidationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    LongConnectionFrame {
        headers = List.copyOf(headers);
    }

    /** The first value of the header {@code key} (headers are case-sensitive, as the SDKs read them), or null. */
    String header(String key) {
        for (Header header : headers) {
            if (header.key().equals(key)) {
                return header.value();
            }
        }
        return null;
    }

    byte[] encode() {
        DynamicMessage.Builder frame = DynamicMessage.newBuilder(FRAME)
                .setField(FRAME.findFieldByNumber(1), seqId)
                .setField(FRAME.findFieldByNumber(2), logId)
                .setField(FRAME.findFieldByNumber(3), service)
                .setField(FRAME.findFieldByNumber(4), method);
        for (Header header : headers) {
            frame.addRepeatedField(FRAME.findFieldByNumber(5), DynamicMessage.newBuilder(HEADER)
                    .setField(HEADER.findFieldByNumber(1), header.key())
                    .setField(HEADER.findFieldByNumber(2), header.value()).build());
        }
        setIfPresent(frame, 6, payloadEncoding);
        setIfPresent(frame, 7, payloadType);
        setIfPresent(frame, 8, payload == null ? null : ByteString.copyFrom(payload));
        setIfPresent(frame, 9, logIdNew);
        return frame.build().toByteArray();
    }

    /** The frame in {@code bytes}; {@link InvalidProtocolBufferException} when they are not a complete pbbp2.Frame. */
    static LongConnectionFrame decode(byte[] bytes) throws InvalidProtocolBufferException {
        DynamicMessage frame = DynamicMessage.parseFrom(FRAME, bytes);
        List<Header> headers = new ArrayList<>();
        FieldDescriptor headerField = FRAME.findFieldByNumber(5);
        for (int i = 0; i < frame.getRepeatedFieldCount(headerField); i++) {
            DynamicMessage header = (DynamicMessage) frame.getRepeatedField(headerField, i);
            headers.add(new Header((String) header.getField(HEADER.findFieldByNumber(1)),
                    (String) header.getField(HEADER.findFieldByNumber(2))));
        }
        ByteString payload = (ByteString) optional(frame, 8);
        return new LongConnectionFrame((Long) frame.getField(FRAME.findFieldByNumber(1)),
                (Long) frame.getField(FRAME.findFieldByNumber(2)),
                (Integer) frame.getField(FRAME.findFieldByNumber(3)),
                (Integer) frame.getField(FRAME.findFieldByNumber(4)), headers,
                (String) optional(frame, 6), (String) optional(frame, 7),
                payload == null ? null : payload.toByteArray(), (String) optional(frame, 9));
    }

    private static FieldDescriptorProto.Builder field(String name, int number, FieldDescriptorProto.Label label,
                                                      FieldDescriptorProto.Type type) {
        return FieldDescriptorProto.newBuilder().setName(name).setNumber(number).setLabel(label).setType(type);
    }

    private static void setIfPresent(DynamicMessage.Builder frame, int number, Object value) {
        if (value != null) {
            frame.setField(FRAME.findFieldByNumber(number), value);
        }
    }

    private static Object optional(DynamicMessage frame, int number) {
        FieldDescriptor field = FRAME.findFieldByNumber(number);
        return frame.hasField(field) ? frame.getField(field) : null;
    }
}
