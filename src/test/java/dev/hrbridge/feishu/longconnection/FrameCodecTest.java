package dev.hrbridge.feishu.longconnection;

import com.lark.oapi.google.protobuf.ByteString;
import com.lark.oapi.google.protobuf.UnknownFieldSet;
import com.lark.oapi.ws.pb.Pbbp2;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Our frame codec against the official Lark SDK's generated {@code Pbbp2.Frame}, in both directions. */
class FrameCodecTest {

    private static final List<Frame.Header> HEADERS = List.of(
            new Frame.Header("type", "event"), new Frame.Header("message_id", "msg-飞书-1"),
            new Frame.Header("sum", "1"), new Frame.Header("seq", "0"), new Frame.Header("trace_id", "t"),
            new Frame.Header("empty", ""));

    @Test
    void ourFrameParsesWithTheOfficialClassToTheSameFields() throws Exception {
        Frame ours = new Frame(Long.MAX_VALUE, -1L, -5, Frame.DATA, HEADERS, "json", "application/json",
                "{\"schema\":\"2.0\"}".getBytes(StandardCharsets.UTF_8), "log-new");

        Pbbp2.Frame official = Pbbp2.Frame.parseFrom(FrameCodec.encode(ours));

        assertThat(official.getSeqID()).isEqualTo(Long.MAX_VALUE);
        assertThat(official.getLogID()).as("uint64 all ones").isEqualTo(-1L);
        assertThat(official.getService()).isEqualTo(-5);
        assertThat(official.getMethod()).isEqualTo(1);
        assertThat(official.getHeadersList()).extracting(Pbbp2.Header::getKey, Pbbp2.Header::getValue)
                .containsExactly(HEADERS.stream().map(h -> org.assertj.core.groups.Tuple.tuple(h.key(), h.value())).toArray(
                        org.assertj.core.groups.Tuple[]::new));
        assertThat(official.getPayloadEncoding()).isEqualTo("json");
        assertThat(official.getPayloadType()).isEqualTo("application/json");
        assertThat(official.getPayload().toStringUtf8()).isEqualTo("{\"schema\":\"2.0\"}");
        assertThat(official.getLogIDNew()).isEqualTo("log-new");
        assertThat(official.getUnknownFields().asMap()).isEmpty();
    }

    @Test
    void theOfficialFrameDecodesToTheSameFields() throws Exception {
        Pbbp2.Frame official = Pbbp2.Frame.newBuilder().setSeqID(42).setLogID(4242).setService(77).setMethod(0)
                .addHeaders(Pbbp2.Header.newBuilder().setKey("type").setValue("pong"))
                .setPayload(ByteString.copyFromUtf8("{\"PingInterval\":120}"))
                .setLogIDNew("abc")
                .build();

        Frame ours = FrameCodec.decode(official.toByteArray());

        assertThat(ours.seqId()).isEqualTo(42);
        assertThat(ours.logId()).isEqualTo(4242);
        assertThat(ours.service()).isEqualTo(77);
        assertThat(ours.method()).isEqualTo(Frame.CONTROL);
        assertThat(ours.headers()).containsExactly(new Frame.Header("type", "pong"));
        assertThat(ours.payloadEncoding()).isNull();
        assertThat(ours.payloadType()).isNull();
        assertThat(new String(ours.payload(), StandardCharsets.UTF_8)).isEqualTo("{\"PingInterval\":120}");
        assertThat(ours.logIdNew()).isEqualTo("abc");
    }

    @Test
    void ourBytesAreTheOfficialBytes() throws Exception {
        Frame ping = Frame.ping(77);
        Pbbp2.Frame officialPing = Pbbp2.Frame.newBuilder().setSeqID(0).setLogID(0).setService(77).setMethod(0)
                .addHeaders(Pbbp2.Header.newBuilder().setKey("type").setValue("ping")).build();
        assertThat(FrameCodec.encode(ping)).isEqualTo(officialPing.toByteArray());

        Pbbp2.Frame event = Pbbp2.Frame.newBuilder().setSeqID(9).setLogID(99).setService(3).setMethod(1)
                .addHeaders(Pbbp2.Header.newBuilder().setKey("type").setValue("event"))
                .setPayload(ByteString.copyFromUtf8("{}")).build();
        Frame decoded = FrameCodec.decode(event.toByteArray());
        assertThat(FrameCodec.encode(decoded)).as("a frame read and written again is byte for byte the same")
                .isEqualTo(event.toByteArray());
    }

    @Test
    void anAbsentPayloadStaysAbsentAndAnEmptyOneEmpty() throws Exception {
        Frame absent = new Frame(1, 2, 3, 0, List.of(), null, null, null, null);
        Frame empty = new Frame(1, 2, 3, 0, List.of(), null, null, new byte[0], null);

        assertThat(Pbbp2.Frame.parseFrom(FrameCodec.encode(absent)).hasPayload()).isFalse();
        assertThat(Pbbp2.Frame.parseFrom(FrameCodec.encode(empty)).hasPayload()).isTrue();
        assertThat(FrameCodec.decode(Pbbp2.Frame.newBuilder().setSeqID(1).setLogID(2).setService(3).setMethod(0)
                .build().toByteArray()).payload()).isNull();
        assertThat(FrameCodec.decode(Pbbp2.Frame.newBuilder().setSeqID(1).setLogID(2).setService(3).setMethod(0)
                .setPayload(ByteString.EMPTY).build().toByteArray()).payload()).isEmpty();
    }

    @Test
    void aLargePayloadRoundTripsBothWays() throws Exception {
        byte[] large = new byte[3 * 1024 * 1024 + 17];
        new Random(7).nextBytes(large);
        Frame ours = new Frame(1, 1, 1, 1, HEADERS, null, null, large, null);

        assertThat(Pbbp2.Frame.parseFrom(FrameCodec.encode(ours)).getPayload().toByteArray()).isEqualTo(large);
        Pbbp2.Frame official = Pbbp2.Frame.newBuilder().setSeqID(1).setLogID(1).setService(1).setMethod(1)
                .setPayload(ByteString.copyFrom(large)).build();
        assertThat(FrameCodec.decode(official.toByteArray()).payload()).isEqualTo(large);
    }

    @Test
    void unknownFieldsAreSkipped() throws Exception {
        UnknownFieldSet unknown = UnknownFieldSet.newBuilder()
                .addField(10, UnknownFieldSet.Field.newBuilder().addLengthDelimited(ByteString.copyFromUtf8("future")).build())
                .addField(11, UnknownFieldSet.Field.newBuilder().addVarint(12345).build())
                .addField(12, UnknownFieldSet.Field.newBuilder().addFixed64(1L).addFixed32(2).build())
                .build();
        Pbbp2.Frame official = Pbbp2.Frame.newBuilder().setSeqID(5).setLogID(6).setService(7).setMethod(1)
                .addHeaders(Pbbp2.Header.newBuilder().setKey("type").setValue("event")
                        .setUnknownFields(UnknownFieldSet.newBuilder().addField(3,
                                UnknownFieldSet.Field.newBuilder().addVarint(1).build()).build()))
                .setPayload(ByteString.copyFromUtf8("x"))
                .setUnknownFields(unknown)
                .build();

        Frame ours = FrameCodec.decode(official.toByteArray());

        assertThat(ours.seqId()).isEqualTo(5);
        assertThat(ours.headers()).containsExactly(new Frame.Header("type", "event"));
        assertThat(ours.payload()).containsExactly('x');
    }

    @Test
    void anAcknowledgementIsTheSameFrameWithTheHandlingTimeAndTheAnswer() throws Exception {
        Frame event = new Frame(11, 12, 13, Frame.DATA, HEADERS, "enc", "type", "{}".getBytes(StandardCharsets.UTF_8), "new");

        Pbbp2.Frame ack = Pbbp2.Frame.parseFrom(FrameCodec.encode(event.acknowledgement(37, "{\"code\":200}".getBytes(StandardCharsets.UTF_8))));

        assertThat(ack.getSeqID()).isEqualTo(11);
        assertThat(ack.getLogID()).isEqualTo(12);
        assertThat(ack.getService()).isEqualTo(13);
        assertThat(ack.getMethod()).isEqualTo(1);
        assertThat(ack.getHeadersCount()).isEqualTo(HEADERS.size() + 1);
        assertThat(ack.getHeaders(HEADERS.size()).getKey()).isEqualTo("biz_rt");
        assertThat(ack.getHeaders(HEADERS.size()).getValue()).isEqualTo("37");
        assertThat(ack.getPayload().toStringUtf8()).isEqualTo("{\"code\":200}");
        assertThat(ack.getLogIDNew()).isEqualTo("new");
    }

    @Test
    void aFrameWithoutItsRequiredFieldsOrNotAFrameAtAllIsRefused() {
        byte[] withoutMethod = Pbbp2.Frame.newBuilder().setSeqID(1).setLogID(2).setService(3).buildPartial().toByteArray();
        byte[] headerWithoutValue = Pbbp2.Frame.newBuilder().setSeqID(1).setLogID(2).setService(3).setMethod(1)
                .addHeaders(Pbbp2.Header.newBuilder().setKey("type").buildPartial()).buildPartial().toByteArray();

        assertThatThrownBy(() -> FrameCodec.decode(withoutMethod)).isInstanceOf(MalformedFrameException.class)
                .hasMessageContaining("required field 4");
        assertThatThrownBy(() -> FrameCodec.decode(headerWithoutValue)).isInstanceOf(MalformedFrameException.class);
        assertThatThrownBy(() -> FrameCodec.decode(new byte[] {(byte) 0xff, (byte) 0xff, 0x01})).isInstanceOf(MalformedFrameException.class);
        assertThatThrownBy(() -> FrameCodec.decode(new byte[] {0x42, 0x10, 1})).as("a length beyond the end")
                .isInstanceOf(MalformedFrameException.class);
        assertThatThrownBy(() -> FrameCodec.decode(new byte[0])).isInstanceOf(MalformedFrameException.class);
    }
}
