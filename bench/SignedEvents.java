import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.UUID;

/**
 * Writes N Feishu webhook calls, one per line, for the wrk script webhook.lua: timestamp, nonce, signature and
 * the {"encrypt": ...} body of a v2 event (default hire.eco_account.created_v1) with a unique event id, encrypted and
 * signed exactly as Feishu does. Run with the JDK alone:
 * java bench/SignedEvents.java FILE N ENCRYPT_KEY TOKEN [EVENT_TYPE]
 */
public class SignedEvents {
    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int count = Integer.parseInt(args[1]);
        String encryptKey = args[2];
        String token = args[3];
        String eventType = args.length > 4 ? args[4] : "hire.eco_account.created_v1";
        byte[] key = MessageDigest.getInstance("SHA-256").digest(encryptKey.getBytes(StandardCharsets.UTF_8));
        SecureRandom random = new SecureRandom();
        Cipher cipher = Cipher.getInstance("AES/CBC/PKCS5Padding");
        String run = UUID.randomUUID().toString().substring(0, 8);
        // account ids unique across files too: a second binding of one account is a cheaper path of the flow
        long accounts = 1_000_000L + Math.floorMod(random.nextLong(), 9_000_000L);
        try (BufferedWriter out = Files.newBufferedWriter(file)) {
            for (int i = 0; i < count; i++) {
                String event = "{\"schema\":\"2.0\",\"header\":{\"event_id\":\"bench-" + run + "-" + i + "\","
                        + "\"event_type\":\"" + eventType + "\",\"create_time\":\"1608725989000\","
                        + "\"token\":\"" + token + "\",\"app_id\":\"cli_bench\",\"tenant_key\":\"2ca1d211f64f6438\"},"
                        + "\"event\":{\"scope\":1,\"account_id\":\"6931" + accounts + String.format("%08d", i) + "\",\"account_name\":\"bench\","
                        + "\"usage_list\":[1],\"custom_field_list\":[{\"key\":\"ord_id\",\"value\":\"7233333\"}]}}";
                byte[] iv = new byte[16];
                random.nextBytes(iv);
                cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
                byte[] sealed = cipher.doFinal(event.getBytes(StandardCharsets.UTF_8));
                byte[] all = new byte[16 + sealed.length];
                System.arraycopy(iv, 0, all, 0, 16);
                System.arraycopy(sealed, 0, all, 16, sealed.length);
                String body = "{\"encrypt\":\"" + Base64.getEncoder().encodeToString(all) + "\"}";
                String timestamp = String.valueOf(System.currentTimeMillis() / 1000);
                String nonce = Long.toHexString(random.nextLong());
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                sha.update((timestamp + nonce + encryptKey).getBytes(StandardCharsets.UTF_8));
                String signature = HexFormat.of().formatHex(sha.digest(body.getBytes(StandardCharsets.UTF_8)));
                out.write(timestamp + "\t" + nonce + "\t" + signature + "\t" + body + "\n");
            }
        }
    }
}
