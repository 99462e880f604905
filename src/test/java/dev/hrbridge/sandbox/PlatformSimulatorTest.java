package dev.hrbridge.sandbox;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The simulator's server stays available to HR Bridge whatever another local client sends it. */
class PlatformSimulatorTest {

    private PlatformSimulator simulator;
    private FeishuCalls feishu;

    @BeforeEach
    void start() {
        simulator = PlatformSimulator.start("cli_test", "secret");
        feishu = new FeishuCalls(simulator, "cli_test", "secret");
    }

    @AfterEach
    void stop() {
        simulator.close();
    }

    @Test
    void clientsThatNeverFinishTheirBodyHoldUpNoOtherCall() throws Exception {
        URI uri = URI.create(simulator.baseUrl());
        List<Socket> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                Socket socket = new Socket(uri.getHost(), uri.getPort());
                OutputStream out = socket.getOutputStream();
                out.write(("POST " + FeishuSandbox.TOKEN_PATH + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 100\r\n\r\n{").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                stalled.add(socket);
            }

            assertThat(feishu.tenantToken()).startsWith("t-");
        } finally {
            for (Socket socket : stalled) {
                socket.close();
            }
        }
    }

    @Test
    void aBodyOver8MiBIsRefusedWith413AndTheServerGoesOn() throws Exception {
        HttpResponse<String> huge = feishu.post(FeishuSandbox.TOKEN_PATH, FeishuCalls.JSON_UTF8,
                "{\"app_id\":\"" + "x".repeat(PlatformSimulator.MAX_BODY_BYTES) + "\"}");

        assertThat(huge.statusCode()).isEqualTo(413);
        assertThat(feishu.tenantToken()).startsWith("t-");
    }
}
