package dev.hrbridge.inbox;

import dev.hrbridge.db.StorageFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * The write-ahead journal of the embedded inbox: acknowledged webhook events are appended here, in the folder
 * beside the H2 file, and moved into the {@code inbox} table by {@link JournalIngester} right after.
 * <p>
 * Why: an H2 commit costs milliseconds however little it writes (it re-serializes every page the commit touched),
 * while appending a record is one {@code write} call for everything that queued up meanwhile. Both reach the
 * operating system before the caller is answered and neither forces the disk, so an acknowledged event survives
 * a killed process exactly as a committed H2 row does; on restart the ingester first replays what is left here.
 * <p>
 * Files are segments {@code inbox-<n>.journal} of records {@code [length][crc32c][fields]}; the writer only ever
 * appends to the newest, a segment of an earlier run is read up to its last intact record, and a segment is deleted
 * once everything in it is in the table.
 */
public class InboxJournal implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(InboxJournal.class);
    private static final int MAX_BATCH = 512;
    private static final int HEADER = 8;
    /** A record never exceeds this: a webhook body is at most {@code hrb.webhook.max-body-bytes} (64 MiB at most). */
    static final int MAX_RECORD = 80 * 1024 * 1024;
    /** Encoded records are written out once this much has gathered, so large events never pile up in memory. */
    private static final int WRITE_AT = 4 * 1024 * 1024;

    private final Path directory;
    private final long segmentBytes;
    private final boolean forceToDisk;
    private final BatchLoop<Append> loop;
    private final StoredKeys storedKeys;
    private final StorageFiles storage;
    private final ConcurrentLinkedDeque<Segment> segments = new ConcurrentLinkedDeque<>();
    private final Object appended = new Object();
    private long appendedEvents;
    private final long firstOfThisRun;
    private FileChannel channel;
    private ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);

    private record Append(InboxMessage.New message, CompletableFuture<Boolean> written) {
    }

    /** Answers which of the given dedup keys are stored already. */
    @FunctionalInterface
    public interface StoredKeys {
        Set<String> of(List<String> dedupKeys) throws Exception;
    }

    /** One file; {@code end} is how far records are complete, {@code sealed} once nothing more is appended. */
    static final class Segment {
        final Path path;
        final long number;
        volatile long end;
        volatile boolean sealed;

        Segment(Path path, long number, long end, boolean sealed) {
            this.path = path;
            this.number = number;
            this.end = end;
            this.sealed = sealed;
        }
    }

    public InboxJournal(Path directory, long segmentBytes, boolean forceToDisk, int capacity, StoredKeys storedKeys,
                        StorageFiles storage) throws IOException {
        this.directory = Files.createDirectories(directory);
        this.storage = storage;
        storage.watch("inbox journal", directory);
        this.storedKeys = storedKeys;
        this.segmentBytes = segmentBytes;
        this.forceToDisk = forceToDisk;
        long next = 1;
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.filter(f -> f.getFileName().toString().matches("inbox-\\d+\\.journal")).sorted().toList()) {
                Segment left = new Segment(file, numberOf(file), Files.size(file), true);
                segments.add(left);
                next = left.number + 1;
            }
        }
        if (!segments.isEmpty()) {
            LOG.info("Inbox journal {} has {} segment(s) from the last run to move into the inbox first", directory,
                    segments.size());
        }
        firstOfThisRun = next;
        openSegment(next);
        this.loop = new BatchLoop<>("hrb-inbox-journal", capacity, MAX_BATCH, this::write,
                left -> left.written().completeExceptionally(new IllegalStateException("the inbox journal is closed")));
    }

    public Path directory() {
        return directory;
    }

    /**
     * Completes with true once {@code message} is in the journal file, false when its dedup key is in the table
     * already (a redelivery: nothing is written), or exceptionally when it could not be written.
     */
    public CompletableFuture<Boolean> append(InboxMessage.New message) {
        CompletableFuture<Boolean> written = new CompletableFuture<>();
        if (!loop.running()) {
            written.completeExceptionally(new IllegalStateException("the inbox journal is closed"));
        } else if (!loop.offer(new Append(message, written))) {
            written.completeExceptionally(new IllegalStateException("the inbox journal queue is full"));
        }
        return written;
    }

    /** Whether {@code segment} was left by an earlier run (and holds what that run acknowledged). */
    boolean fromEarlierRun(Segment segment) {
        return segment.number < firstOfThisRun;
    }

    /** The segments, oldest first, for the ingester. */
    ConcurrentLinkedDeque<Segment> segments() {
        return segments;
    }

    /** How many events have been appended since start; {@link #awaitAppend} waits for this to move on. */
    long appendedEvents() {
        synchronized (appended) {
            return appendedEvents;
        }
    }

    /** Waits up to {@code millis} for an event appended after the {@code seen} ones. */
    void awaitAppend(long seen, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        synchronized (appended) {
            long left;
            while (appendedEvents == seen && loop.running() && (left = deadline - System.nanoTime()) > 0) {
                TimeUnit.NANOSECONDS.timedWait(appended, left);
            }
        }
    }

    private void write(List<Append> batch) {
        String lost = storage.lost();
        if (lost != null) {
            IllegalStateException failure = new IllegalStateException("storage lost: " + lost);
            batch.forEach(a -> a.written().completeExceptionally(failure));
            return;
        }
        // one look-up for the whole batch: a redelivery of an event already in the table is not written again
        Set<String> stored;
        try {
            stored = storedKeys.of(batch.stream().map(a -> a.message().dedupKey()).toList());
        } catch (Exception e) {
            LOG.error("Inbox journal cannot look up {} dedup key(s); senders are told to retry: {}", batch.size(),
                    e.toString());
            batch.forEach(a -> a.written().completeExceptionally(e));
            return;
        }
        List<Append> encoded = new ArrayList<>(batch.size());
        buffer.clear();
        Segment segment = segments.getLast();
        try {
            for (Append append : batch) {
                if (stored.contains(append.message().dedupKey())) {
                    append.written().complete(false);
                    continue;
                }
                try {
                    encode(append.message());
                    encoded.add(append);
                } catch (IllegalArgumentException e) {
                    append.written().completeExceptionally(e);
                }
                if (buffer.position() >= WRITE_AT) {
                    writeOut();
                }
            }
            writeOut();
            if (forceToDisk) {
                channel.force(false);
            }
            segment.end = channel.position();
            encoded.forEach(a -> a.written().complete(true));
        } catch (IOException | RuntimeException e) {
            LOG.error("Inbox journal write of {} event(s) failed; senders are told to retry: {}", encoded.size(),
                    e.toString());
            encoded.forEach(a -> a.written().completeExceptionally(e));
            // what follows must not land behind a partial record: continue in a fresh segment
            rollOver();
            return;
        }
        synchronized (appended) {
            appendedEvents += encoded.size();
            appended.notifyAll();
        }
        if (segment.end >= segmentBytes) {
            rollOver();
        }
    }

    private void writeOut() throws IOException {
        buffer.flip();
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
        buffer.clear();
    }

    private void encode(InboxMessage.New message) {
        byte[][] fields = {bytes(message.id()), bytes(message.kind().name()), bytes(message.dedupKey()),
                bytes(message.flow()), bytes(message.eventType()), bytes(message.traceId()), bytes(message.payload()),
                bytes(message.feishuApp()), bytes(message.tenantKey()), bytes(message.receivedVia())};
        int length = 0;
        for (byte[] field : fields) {
            length += 4 + (field == null ? 0 : field.length);
        }
        if (length > MAX_RECORD) {
            throw new IllegalArgumentException("message " + message.id() + " is too large for the journal");
        }
        ensureRoom(HEADER + length);
        int start = buffer.position();
        buffer.putInt(length).putInt(0);
        for (byte[] field : fields) {
            buffer.putInt(field == null ? -1 : field.length);
            if (field != null) {
                buffer.put(field);
            }
        }
        CRC32C crc = new CRC32C();
        crc.update(buffer.duplicate().position(start + HEADER).limit(start + HEADER + length));
        buffer.putInt(start + 4, (int) crc.getValue());
    }

    private void ensureRoom(int bytes) {
        if (buffer.remaining() < bytes) {
            ByteBuffer larger = ByteBuffer.allocateDirect(Math.max(buffer.capacity() * 2, buffer.position() + bytes));
            buffer.flip();
            larger.put(buffer);
            buffer = larger;
        }
    }

    private static byte[] bytes(String value) {
        return value == null ? null : value.getBytes(StandardCharsets.UTF_8);
    }

    private void rollOver() {
        Segment current = segments.getLast();
        try {
            channel.close();
        } catch (IOException e) {
            LOG.warn("Closing inbox journal segment {} failed: {}", current.path, e.toString());
        }
        current.sealed = true;
        try {
            openSegment(current.number + 1);
        } catch (IOException e) {
            // nothing can be acknowledged until a segment opens again: every append fails until then
            LOG.error("Cannot open a new inbox journal segment in {}: {}", directory, e.toString());
            channel = null;
        }
    }

    private void openSegment(long number) throws IOException {
        Path path = directory.resolve(String.format("inbox-%012d.journal", number));
        channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        storage.watch("inbox journal segment", path);
        segments.add(new Segment(path, number, 0, false));
    }

    private static long numberOf(Path file) {
        String name = file.getFileName().toString();
        return Long.parseLong(name.substring("inbox-".length(), name.length() - ".journal".length()));
    }

    /**
     * Reads the record at {@code position} of {@code segment}; null when no intact record starts there (the end,
     * or the torn tail a killed writer left). {@code next[0]} gets the position after it.
     */
    static InboxMessage.New read(FileChannel file, long position, long end, long[] next) throws IOException {
        if (end - position < HEADER) {
            return null;
        }
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        readFully(file, header, position);
        int length = header.getInt(0);
        if (length < 0 || length > MAX_RECORD || position + HEADER + length > end) {
            return null;
        }
        ByteBuffer body = ByteBuffer.allocate(length);
        readFully(file, body, position + HEADER);
        CRC32C crc = new CRC32C();
        crc.update(body.duplicate());
        if ((int) crc.getValue() != header.getInt(4)) {
            return null;
        }
        // records of a run before app and tenant were journaled have 7 fields, before the channel 9
        String[] fields = new String[10];
        for (int i = 0; i < fields.length && body.hasRemaining(); i++) {
            int size = body.getInt();
            if (size >= 0) {
                fields[i] = new String(body.array(), body.position(), size, StandardCharsets.UTF_8);
                body.position(body.position() + size);
            }
        }
        next[0] = position + HEADER + length;
        return new InboxMessage.New(fields[0], InboxMessage.Kind.valueOf(fields[1]), fields[2], fields[3], fields[4],
                fields[5], fields[6]).fromTenant(fields[7], fields[8]).receivedVia(fields[9]);
    }

    private static void readFully(FileChannel file, ByteBuffer target, long position) throws IOException {
        while (target.hasRemaining()) {
            if (file.read(target, position + target.position()) < 0) {
                throw new IOException("unexpected end of journal segment");
            }
        }
        target.flip();
    }

    @Override
    public void close() {
        loop.close();
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            LOG.warn("Closing the inbox journal failed: {}", e.toString());
        }
        synchronized (appended) {
            appended.notifyAll();
        }
        if (storedKeys instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                LOG.warn("Closing the inbox journal's dedup look-up failed: {}", e.toString());
            }
        }
    }
}
