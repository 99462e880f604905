package dev.hrbridge.db;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The files an embedded store writes into, as they were when opened. Deleting {@code ./data} (or putting another
 * copy in its place) while HR Bridge runs leaves the process writing into files that no longer have a name: every
 * write still succeeds, and all of it is gone at the next start. So before anything is acknowledged the files are
 * compared with the ones opened; once one is gone or replaced, storage is lost until a restart: webhooks are answered
 * 503 (Feishu redelivers) and readiness is DOWN.
 */
public final class StorageFiles {

    private static final Logger LOG = LoggerFactory.getLogger(StorageFiles.class);

    private final Map<String, Watched> watched = new ConcurrentHashMap<>();
    private volatile String lost;

    private record Watched(Path path, Object key) {
    }

    /** Watches the file or folder at {@code path} as {@code role}, in place of what was watched as that role before. */
    public void watch(String role, Path path) throws IOException {
        watched.put(role, new Watched(path, key(path)));
    }

    /** Null while every watched file is the one opened; else what happened to it. Once lost, lost until a restart. */
    public String lost() {
        if (lost != null) {
            return lost;
        }
        for (Map.Entry<String, Watched> entry : watched.entrySet()) {
            String why = check(entry.getKey(), entry.getValue());
            if (why != null) {
                lost = why;
                LOG.error("Storage lost: {}. Nothing more is acknowledged (webhooks get 503, Feishu redelivers) and "
                        + "readiness is DOWN; restore the storage and restart HR Bridge", why);
                return why;
            }
        }
        return null;
    }

    private static String check(String role, Watched file) {
        try {
            return Objects.equals(key(file.path()), file.key()) ? null
                    : "the " + role + " " + file.path() + " was replaced by another file while in use";
        } catch (NoSuchFileException e) {
            return "the " + role + " " + file.path() + " is gone";
        } catch (IOException e) {
            return "the " + role + " " + file.path() + " cannot be read: " + e;
        }
    }

    /** The file system's identity of a file (device and inode on Linux), or its creation time where there is none. */
    private static Object key(Path path) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        return attributes.fileKey() != null ? attributes.fileKey() : attributes.creationTime();
    }
}
