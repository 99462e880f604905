package dev.hrbridge.sandbox;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** The faults injected into the simulator, each with the number of calls it still spoils. */
final class SandboxFaults {

    private record Armed(SandboxFault fault, AtomicInteger remaining) { }

    private final List<Armed> armed = new CopyOnWriteArrayList<>();

    void add(SandboxFault fault) {
        armed.add(new Armed(fault, new AtomicInteger(fault.count())));
    }

    void clear() {
        armed.clear();
    }

    /** The first fault for {@code path} that still has calls to spoil, counting this call; null when none. */
    SandboxFault take(String path) {
        for (Armed candidate : armed) {
            if (!path.startsWith(candidate.fault().pathPrefix())) {
                continue;
            }
            if (candidate.fault().count() <= 0) {
                return candidate.fault();
            }
            if (candidate.remaining().getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
                return candidate.fault();
            }
        }
        return null;
    }

    List<Map<String, Object>> describe() {
        List<Map<String, Object>> list = new ArrayList<>();
        for (Armed entry : armed) {
            Map<String, Object> row = new LinkedHashMap<>(PlatformSimulator.JSON.convertValue(entry.fault(), Map.class));
            row.put("remaining", entry.fault().count() <= 0 ? null : entry.remaining().get());
            list.add(row);
        }
        return list;
    }
}
