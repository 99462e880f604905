import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What processing an event costs HR Bridge: sends N pre-signed events (lines of bench/SignedEvents.java's file) from
 * C clients, waits until the event router has run every one of them (or HR Bridge stored it UNHANDLED without it), and divides the CPU time the HR Bridge process
 * spent in between (utime + stime from /proc/PID/stat) by N. Everything the process does in that time counts: the
 * acknowledgements, the inbox, the flows, in sandbox mode the simulator's side of each outbound call, the JIT, GC.
 * java bench/ProcessingCost.java PID WEBHOOK_URL EVENTS_FILE N CLIENTS MANAGEMENT_URL CLK_TCK
 * Prints: RESULT events=N acked_s=... processed_s=... processed_per_s=... cpu_ms_per_event=... non200=...
 */
public class ProcessingCost {

    private static final Pattern TOTAL = Pattern.compile("\"value\":(\\d+)");

    public static void main(String[] args) throws Exception {
        long pid = Long.parseLong(args[0]);
        URI webhook = URI.create(args[1]);
        List<String> lines = Files.readAllLines(Path.of(args[2]));
        int count = Integer.parseInt(args[3]);
        int clients = Integer.parseInt(args[4]);
        URI jolokia = URI.create(args[5] + "/jolokia");
        double tick = Double.parseDouble(args[6]);
        if (lines.size() < count) {
            throw new IllegalArgumentException("the file has " + lines.size() + " events, fewer than " + count);
        }
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();

        long routedBefore = routed(client, jolokia);
        long cpuBefore = cpuTicks(pid);
        long begin = System.nanoTime();
        AtomicInteger non200 = new AtomicInteger();
        List<Thread> senders = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int slice = c;
            Thread sender = new Thread(() -> {
                for (int i = slice; i < count; i += clients) {
                    String[] call = lines.get(i).split("\t", 4);
                    HttpRequest request = HttpRequest.newBuilder(webhook).timeout(Duration.ofSeconds(30))
                            .header("Content-Type", "application/json")
                            .header("X-Lark-Request-Timestamp", call[0])
                            .header("X-Lark-Request-Nonce", call[1])
                            .header("X-Lark-Signature", call[2])
                            .POST(HttpRequest.BodyPublishers.ofString(call[3])).build();
                    try {
                        if (client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() != 200) {
                            non200.incrementAndGet();
                        }
                    } catch (Exception e) {
                        non200.incrementAndGet();
                    }
                }
            });
            sender.start();
            senders.add(sender);
        }
        for (Thread sender : senders) {
            sender.join();
        }
        long acked = System.nanoTime();
        long deadline = acked + Duration.ofMinutes(20).toNanos();
        while (routed(client, jolokia) - routedBefore < count - non200.get()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not every event was routed within 20 minutes");
            }
            Thread.sleep(20);
        }
        long done = System.nanoTime();
        long cpuAfter = cpuTicks(pid);
        double cpuMs = (cpuAfter - cpuBefore) * 1000.0 / tick;
        double processedSeconds = (done - begin) / 1e9;
        System.out.printf("RESULT events=%d acked_s=%.2f processed_s=%.2f processed_per_s=%.0f cpu_ms_per_event=%.3f non200=%d%n",
                count, (acked - begin) / 1e9, processedSeconds, count / processedSeconds, cpuMs / count, non200.get());
    }

    /**
     * Events routed: the exchanges the event router has finished, as Camel's route MBean counts them, and the events
     * HR Bridge stored UNHANDLED without running the router (no flow takes their type).
     */
    private static long routed(HttpClient client, URI jolokia) throws Exception {
        return read(client, jolokia, "org.apache.camel:context=hr-bridge,type=routes,name=\\\"event-router\\\"", "ExchangesTotal")
                + read(client, jolokia, "dev.hrbridge:context=hr-bridge,type=Inbox", "UnhandledAtIngest");
    }

    private static long read(HttpClient client, URI jolokia, String mbean, String attribute) throws Exception {
        String read = "{\"type\":\"read\",\"mbean\":\"" + mbean + "\",\"attribute\":\"" + attribute + "\"}";
        String answer = client.send(HttpRequest.newBuilder(jolokia).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(read)).build(), HttpResponse.BodyHandlers.ofString()).body();
        Matcher value = TOTAL.matcher(answer);
        if (!value.find()) {
            throw new IllegalStateException("Jolokia did not answer " + mbean + " " + attribute + ": " + answer);
        }
        return Long.parseLong(value.group(1));
    }

    /** utime + stime of the process, in clock ticks (fields 14 and 15 of /proc/PID/stat, after the command name). */
    private static long cpuTicks(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }
}
