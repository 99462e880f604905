package dev.hrbridge;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A bean a test's route file declares: creating it holds HR Bridge's start at that point (the operator's routes are
 * loaded after the ports listen) until the test opens the gate, so what callers meet meanwhile can be asserted.
 */
public final class StartupGate {

    static final CountDownLatch REACHED = new CountDownLatch(1);
    static final CountDownLatch OPEN = new CountDownLatch(1);

    public StartupGate() throws InterruptedException {
        REACHED.countDown();
        if (!OPEN.await(2, TimeUnit.MINUTES)) {
            throw new IllegalStateException("the test never opened the start-up gate");
        }
    }
}
