package dev.hrbridge.sandbox;

import com.google.protobuf.InvalidProtocolBufferException;
import com.lark.oapi.google.protobuf.ByteString;
import com.lark.oapi.ws.pb.Pbbp2;
import dev.hrbridge.sandbox.LongConnectionFrame.Header;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

/** The simulator's pbbp2.Frame agrees, byte for byte, with the frame class generated for Feishu's own Java SDK. */
class LongConnectionFrameTest {

    private static final byte[] EVENT = "{\"schema\":\"2.0\",\"header\":{\"event_id\":\"e-1\"},\"event\":{\"名\":\"值\"}}"
            .getBytes(StandardCharsets.UTF_8);

    @Test
    void aDataFrameTheSimulatorEncodesParsesWithTheSdkToTheSameFields() throws Exception {
        LongConnectionFrame frame = new LongConnectionFrame(7, -2L, 33554678, LongConnectionFrame.DATA,
                List.of(new Header("type", "event"), new Header("message_id", "msg_1"), new Header("sum", "1"),
                        new Header("seq", "0"), new Header("trace_id", "t-1"), new Header("timestamp", "1700000000000")),
                null, null, EVENT, "20240101120000ABCDEF");

        Pbbp2.Frame parsed = Pbbp2.Frame.parseFrom(frame.encode());

        assertThat(parsed.getSeqID()).isEqualTo(7);
        assertThat(Long.toUnsignedString(parsed.getLogID())).as("uint64 beyond Long.MAX_VALUE").isEqualTo("18446744073709551614");
        assertThat(parsed.getService()).isEqualTo(33554678);
        assertThat(parsed.getMethod()).isEqualTo(1);
        assertThat(parsed.getHeadersList()).extracting(Pbbp2.Header::getKey, Pbbp2.Header::getValue)
                .containsExactly(tuple("type", "event"), tuple("message_id", "msg_1"),
                        tuple("sum", "1"), tuple("seq", "0"),
                        tuple("trace_id", "t-1"), tuple("timestamp", "1700000000000"));
        assertThat(parsed.getPayload().toByteArray()).isEqualTo(EVENT);
        assertThat(parsed.getLogIDNew()).isEqualTo("20240101120000ABCDEF");
        assertThat(parsed.hasPayloadEncoding()).isFalse();
        assertThat(parsed.hasPayloadType()).isFalse();
        assertThat(frame.encode()).as("the same bytes as the SDK writes").isEqualTo(parsed.toByteArray());
    }

    @Test
    void anSdkFrameDecodesWithTheSimulatorIncludingHeadersAndPayload() throws Exception {
        // what the SDK sends back as an acknowledgement: the data frame with biz_rt added and a response payload
        byte[] ack = Pbbp2.Frame.newBuilder().setSeqID(3).setLogID(Long.MIN_VALUE).setService(42).setMethod(1)
                .addHeaders(Pbbp2.Header.newBuilder().setKey("message_id").setValue("msg_9"))
                .addHeaders(Pbbp2.Header.newBuilder().setKey("biz_rt").setValue("12"))
                .setPayloadEncoding("gzip").setPayloadType("json")
                .setPayload(ByteString.copyFromUtf8("{\"code\":200,\"headers\":null,\"data\":null}"))
                .setLogIDNew("log-9").build().toByteArray();

        LongConnectionFrame frame = LongConnectionFrame.decode(ack);

        assertThat(frame.seqId()).isEqualTo(3);
        assertThat(frame.logId()).isEqualTo(Long.MIN_VALUE);
        assertThat(frame.service()).isEqualTo(42);
        assertThat(frame.method()).isEqualTo(LongConnectionFrame.DATA);
        assertThat(frame.headers()).containsExactly(new Header("message_id", "msg_9"), new Header("biz_rt", "12"));
        assertThat(frame.header("biz_rt")).isEqualTo("12");
        assertThat(frame.payloadEncoding()).isEqualTo("gzip");
        assertThat(frame.payloadType()).isEqualTo("json");
        assertThat(new String(frame.payload(), StandardCharsets.UTF_8)).isEqualTo("{\"code\":200,\"headers\":null,\"data\":null}");
        assertThat(frame.logIdNew()).isEqualTo("log-9");
        assertThat(frame.encode()).as("re-encoded, the SDK's bytes").isEqualTo(ack);
    }

    @Test
    void theSdksPingHasNoPayloadAndDecodesAsAControlFrame() throws Exception {
        byte[] ping = Pbbp2.Frame.newBuilder().setSeqID(0).setLogID(0).setService(5).setMethod(0)
                .addHeaders(Pbbp2.Header.newBuilder().setKey("type").setValue("ping")).build().toByteArray();

        LongConnectionFrame frame = LongConnectionFrame.decode(ping);

        assertThat(frame.method()).isEqualTo(LongConnectionFrame.CONTROL);
        assertThat(frame.header("type")).isEqualTo("ping");
        assertThat(frame.payload()).isNull();
        assertThat(frame.logIdNew()).isNull();
    }

    @Test
    void bytesMissingARequiredFieldAreNoFrame() {
        byte[] withoutMethod = Pbbp2.Frame.newBuilder().setSeqID(1).setLogID(1).setService(1).setMethod(1)
                .buildPartial().toBuilder().clearMethod().buildPartial().toByteArray();

        assertThatThrownBy(() -> LongConnectionFrame.decode(withoutMethod)).isInstanceOf(InvalidProtocolBufferException.class);
        assertThatThrownBy(() -> LongConnectionFrame.decode("not a frame".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(InvalidProtocolBufferException.class);
    }
}
