package dev.hrbridge.feishu;

import javax.crypto.BadPaddingException;
import javax.crypto.Cipher;
import javax.crypto.IllegalBlockSizeException;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Feishu's event encryption and request signature.
 * <ul>
 *   <li>{@code {"encrypt": ...}}: AES-256-CBC, key = SHA-256(encrypt key), IV = the first 16 bytes of the
 *       base64-decoded value, PKCS7 padding.</li>
 *   <li>{@code X-Lark-Signature} = lowercase hex SHA-256(timestamp + nonce + encrypt key + raw body bytes).</li>
 * </ul>
 */
public final class FeishuCrypto {

    private final byte[] aesKey;
    private final byte[] encryptKey;
    /** Looking a cipher up costs more than decrypting an event with it; each request thread keeps its own. */
    private final ThreadLocal<Cipher> decryptors = ThreadLocal.withInitial(() -> {
        try {
            return Cipher.getInstance("AES/CBC/PKCS5Padding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/CBC is not available in this JVM", e);
        }
    });

    public FeishuCrypto(String encryptKey) {
        this.encryptKey = encryptKey.getBytes(StandardCharsets.UTF_8);
        this.aesKey = sha256(this.encryptKey);
    }

    /** The plaintext of an {@code encrypt} value; {@link UndecryptableException} when it is not one of ours. */
    public String decrypt(String encrypted) {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(decryptBytes(encrypted))).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new UndecryptableException("the encrypt value does not decrypt with the configured encrypt key", false);
        }
    }

    /** The plaintext bytes of an {@code encrypt} value, not yet read as UTF-8: a large event is decoded once, by its reader. */
    public byte[] decryptBytes(String encrypted) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(encrypted.trim());
        } catch (IllegalArgumentException e) {
            throw new UndecryptableException("the encrypt value is not valid base64", true);
        }
        return decrypt(raw);
    }

    /** The plaintext bytes of an {@code encrypt} value already decoded from base64 (the IV, then the ciphertext). */
    public byte[] decrypt(byte[] raw) {
        if (raw.length < 32 || raw.length % 16 != 0) {
            throw new UndecryptableException("the encrypt value has the wrong length for AES-CBC", false);
        }
        try {
            Cipher cipher = decryptors.get();
            cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(aesKey, "AES"),
                    new IvParameterSpec(Arrays.copyOfRange(raw, 0, 16)));
            return cipher.doFinal(raw, 16, raw.length - 16);
        } catch (BadPaddingException | IllegalBlockSizeException e) {
            throw new UndecryptableException("the encrypt value does not decrypt with the configured encrypt key", false);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/CBC is not available in this JVM", e);
        }
    }

    /** The encrypt value Feishu would send for {@code plaintext}: for tests and the sandbox. */
    public String encrypt(String plaintext) {
        try {
            byte[] iv = new byte[16];
            new SecureRandom().nextBytes(iv);
            Cipher cipher = Cipher.getInstance("AES/CBC/PKCS5Padding");
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(aesKey, "AES"), new IvParameterSpec(iv));
            byte[] body = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[16 + body.length];
            System.arraycopy(iv, 0, out, 0, 16);
            System.arraycopy(body, 0, out, 16, body.length);
            return Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public String signature(String timestamp, String nonce, byte[] body) {
        MessageDigest digest = sha256Digest();
        digest.update(timestamp.getBytes(StandardCharsets.UTF_8));
        digest.update(nonce.getBytes(StandardCharsets.UTF_8));
        digest.update(encryptKey);
        digest.update(body);
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Constant-time check of {@code X-Lark-Signature}; false for any missing part. */
    public boolean signatureMatches(String timestamp, String nonce, byte[] body, String presented) {
        if (timestamp == null || nonce == null || presented == null) {
            return false;
        }
        byte[] expected = signature(timestamp, nonce, body).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, presented.trim().toLowerCase(java.util.Locale.ROOT)
                .getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] sha256(byte[] input) {
        return sha256Digest().digest(input);
    }

    private static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The encrypt value cannot be read: bad base64 or not encrypted with our key. */
    public static final class UndecryptableException extends RuntimeException {
        private final boolean badBase64;

        public UndecryptableException(String message, boolean badBase64) {
            super(message, null, false, false);
            this.badBase64 = badBase64;
        }

        public boolean badBase64() {
            return badBase64;
        }
    }
}
