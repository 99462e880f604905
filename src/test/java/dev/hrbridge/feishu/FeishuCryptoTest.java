package dev.hrbridge.feishu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FeishuCryptoTest {

    @Test
    void thePublishedTestVectorDecrypts() throws Exception {
        JsonNode vector = new ObjectMapper().readTree(Fixtures.read("feishu-encryption-test-vector.json"));
        FeishuCrypto crypto = new FeishuCrypto(vector.path("encrypt_key").asText());
        assertThat(crypto.decrypt(vector.path("encrypt").asText())).isEqualTo(vector.path("plaintext").asText());
    }

    @Test
    void whatWeEncryptDecryptsBack() {
        FeishuCrypto crypto = new FeishuCrypto("k3y");
        assertThat(crypto.decrypt(crypto.encrypt("{\"a\":\"事件\"}"))).isEqualTo("{\"a\":\"事件\"}");
    }

    @Test
    void aWrongKeyIsUndecryptable() {
        String encrypted = new FeishuCrypto("right").encrypt("{\"a\":1}");
        assertThatThrownBy(() -> new FeishuCrypto("wrong").decrypt(encrypted))
                .isInstanceOf(FeishuCrypto.UndecryptableException.class);
    }

    @Test
    void badBase64IsReportedAsSuch() {
        assertThatThrownBy(() -> new FeishuCrypto("k").decrypt("not base64 !!"))
                .isInstanceOfSatisfying(FeishuCrypto.UndecryptableException.class, e -> assertThat(e.badBase64()).isTrue());
    }

    @Test
    void signatureIsSha256OfTimestampNonceKeyAndBody() throws Exception {
        FeishuCrypto crypto = new FeishuCrypto("key");
        byte[] body = "{\"encrypt\":\"x\"}".getBytes(StandardCharsets.UTF_8);
        java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
        String expected = java.util.HexFormat.of().formatHex(
                sha.digest(("1700000000" + "nonce" + "key" + "{\"encrypt\":\"x\"}").getBytes(StandardCharsets.UTF_8)));
        assertThat(crypto.signature("1700000000", "nonce", body)).isEqualTo(expected);
        assertThat(crypto.signatureMatches("1700000000", "nonce", body, expected)).isTrue();
        assertThat(crypto.signatureMatches("1700000000", "nonce", body, expected.replace('a', 'b'))).isFalse();
        assertThat(crypto.signatureMatches(null, "nonce", body, expected)).isFalse();
    }
}
