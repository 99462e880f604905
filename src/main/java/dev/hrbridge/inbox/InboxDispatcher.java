package dev.hrbridge.inbox;

import dev.hrbridge.api.ApiException;
import dev.hrbridge.db.Database;
import dev.hrbridge.feishu.EventHandlers;
import dev.hrbridge.feishu.FeishuCall;
import dev.hrbridge.inbox.InboxMessage.Kind;
import dev.hrbridge.inbox.InboxMessage.State;
import dev.hrbridge.inbox.InboxRepository.Result;
import dev.hrbridge.ops.Alerts;
import dev.hrbridge.outbound.DeferredFailure;
import dev.hrbridge.outbound.OutboundFailure;
import dev.hrbridge.outbound.PermanentFailure;
import dev.hrbridge.outbound.RetryPolicy;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.apache.camel.Message;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * Runs inbox messages through their flow route ({@code direct:<flow>}) and records what happened.
 * <p>
 * A message is dispatched the moment it is committed; the poller re-finds whatever is due (a retry whose
 * backoff ran out, a message whose worker died) so the database, not memory, is the recovery path. Retries are
 * rows with a later {@code next_attempt_at}, never a sleeping thread.
 */
public class InboxDispatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(InboxDispatcher.class);

    /** Route headers a flow may set to shape the recorded result. */
    public static final String FLOW = "HrbFlow";
    public static final String OUTCOME = "HrbOutcome";
    public static final String FINAL_STATE = "HrbFinalState";
    public static final String PLATFORM_CODE = "HrbPlatformCode";
    public static final String PLATFORM_MSG = "HrbPlatformMsg";
    public static final String HTTP_STATUS = "HrbHttpStatus";
    /** The outcome of an event of a type no flow takes (the event router's own, for events it ran). */
    public static final String NO_FLOW = "no_flow_for_event_type";
    /** Exchange property: the writes the flow asked to make with its result ({@link #writeWithResult}). */
    private static final String RESULT_WRITES = "HrbResultWrites";

    /**
     * Messages one poll claims at most: they wait in this node's queue with their lease running, which is no shorter
     * than a second, so no more than the workers start well within it.
     */
    private static final int POLL_CLAIMS = 256;

    private final InboxRepository repository;
    private final InboxWriter writer;
    private final RetryPolicy retryPolicy;
    private final CamelContext camel;
    private volatile ProducerTemplate template;
    private final String nodeId;
    private final Clock clock;
    private final Duration lease;
    private final Duration staleHeartbeat;
    private final ThreadPoolExecutor workers;
    private final Set<String> queued = ConcurrentHashMap.newKeySet();
    /** Submitted ids waiting to be claimed, together, by one worker ({@link #claimSubmitted}). */
    private final Queue<String> toClaim = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean claiming = new AtomicBoolean();
    private final AtomicInteger busy = new AtomicInteger();
    private final AtomicLong unhandledAtIngest = new AtomicLong();
    private volatile boolean open;
    private volatile BooleanSupplier holding = () -> false;
    private volatile Flows flows;
    private volatile FlowHealth health;
    private volatile Alerts alerts;
    private volatile Predicate<String> eventRouted = type -> true;

    public InboxDispatcher(InboxRepository repository, InboxWriter writer, RetryPolicy retryPolicy, CamelContext camel,
                           String nodeId, Clock clock, int workerCount, Duration lease, Duration staleHeartbeat) {
        this.repository = repository;
        this.writer = writer;
        this.retryPolicy = retryPolicy;
        this.camel = camel;
        this.nodeId = nodeId;
        this.clock = clock;
        this.lease = lease;
        this.staleHeartbeat = staleHeartbeat;
        AtomicInteger threads = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(workerCount, workerCount, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(10_000), runnable -> {
            Thread thread = new Thread(runnable, "hrb-inbox-worker-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** This worker's name in leases. */
    public String nodeId() {
        return nodeId;
    }

    /**
     * Lets flows run, once every route is loaded (the operator's external routes come last). Until then messages
     * are stored PENDING and wait: an event whose flow is an external route would otherwise end UNHANDLED.
     */
    public void open() {
        open = true;
        if (flows != null) {
            flows.start();
        }
    }

    /**
     * While {@code holding} answers true (a burst of acknowledgements, see {@link BurstHold}) this node starts no
     * new work: the poller finds nothing, a submitted message stays PENDING, and a message claimed when it was
     * stored but still queued is handed back PENDING, all for the poller after the hold. Messages running already
     * finish as usual, within their lease.
     */
    public void holdWhile(BooleanSupplier holding) {
        this.holding = holding;
    }

    /**
     * Runs no message of a paused flow: each is parked, PENDING, until {@code flows} resumes it. Attempts are noted in
     * {@code health}; a message gone DEAD is reported through {@code alerts} when they are on.
     */
    public void steer(Flows flows, FlowHealth health, Alerts alerts) {
        this.flows = flows;
        this.health = health;
        this.alerts = alerts;
        flows.onResume(() -> {
            try {
                pollOnce();
            } catch (Exception e) {
                LOG.warn("Could not look for the messages of a resumed flow at once; the poller finds them: {}", e.toString());
            }
        });
        health.submitTo(this::submit);
    }

    /**
     * Whether a message handed over now would start soon, rather than wait in a long queue or for a hold to end;
     * only then is it worth storing a message as claimed by this node.
     */
    public boolean hasRoom() {
        return open && !holding.getAsBoolean() && workers.getQueue().size() < 1000;
    }

    /**
     * Tells which event types the event router sends to a flow ({@code routed}); an event of any other type would
     * only be marked UNHANDLED by it, so {@link #toStore} stores it so at once.
     */
    public void routeEventsWith(Predicate<String> routed) {
        this.eventRouted = routed;
    }

    /**
     * {@code message} as it is to be stored now: an event the router has no flow for is final UNHANDLED (once every
     * route is loaded: before that, its flow may still come), one a free worker can take is claimed by this node,
     * anything else stays PENDING for the poller.
     */
    public InboxMessage.New toStore(InboxMessage.New message) {
        if (open && message.kind() == Kind.EVENT && Inbox.EVENT_FLOW.equals(message.flow())
                && !eventRouted.test(message.eventType())) {
            return message.unhandled(NO_FLOW);
        }
        return hasRoom() ? message.claimedBy(nodeId) : message;
    }

    /** Starts {@code stored}, as {@link #toStore} made it, once committed as new. */
    void start(InboxMessage.New stored, Instant now) {
        if (stored.unhandledOutcome() != null) {
            unhandledAtIngest.incrementAndGet();
            LOG.info("{} {} UNHANDLED {} (at ingest)", stored.flow(), stored.traceId(), stored.unhandledOutcome());
        } else if (stored.leaseOwner() != null) {
            run(stored.asClaimed(now));
        } else {
            submit(stored.id());
        }
    }

    /** Events stored UNHANDLED at once since start (see {@link #toStore}). */
    public long unhandledAtIngest() {
        return unhandledAtIngest.get();
    }

    /**
     * Queues {@code id} for processing on this node; a no-op if it is queued already or not open. Ids submitted
     * meanwhile are claimed together, in one transaction, by one worker: a commit rewrites every page it touched, so a
     * claim of its own per message (a backlog released after a burst, messages stored while the queue was full) cost
     * more than the claim. Whatever cannot be claimed now (the queue full, a burst hold) the poller finds later.
     */
    public void submit(String id) {
        if (open && queued.add(id)) {
            toClaim.add(id);
            claimSubmittedSoon();
        }
    }

    private void claimSubmittedSoon() {
        if (toClaim.isEmpty() || !claiming.compareAndSet(false, true)) {
            return;
        }
        try {
            workers.execute(this::claimSubmitted);
        } catch (RejectedExecutionException e) {
            claiming.set(false);
            forget(toClaim.size());
        }
    }

    /** Claims what was submitted, up to {@link #POLL_CLAIMS} per transaction, and runs what it got. */
    private void claimSubmitted() {
        busy.incrementAndGet();
        try {
            List<String> ids = new ArrayList<>();
            String id;
            while (ids.size() < POLL_CLAIMS && (id = toClaim.poll()) != null) {
                queued.remove(id);
                ids.add(id);
            }
            if (holding.getAsBoolean() || ids.isEmpty()) {
                // the poller takes them after the burst
                forget(toClaim.size());
                return;
            }
            claimAndRun(ids, clock.instant());
        } catch (Exception e) {
            LOG.warn("Could not claim submitted inbox messages: {}", e.toString());
        } finally {
            busy.decrementAndGet();
            claiming.set(false);
            claimSubmittedSoon();
        }
    }

    /** Drops up to {@code count} submitted ids unclaimed: they are PENDING in the table, where the poller finds them. */
    private void forget(int count) {
        for (int i = 0; i < count; i++) {
            String id = toClaim.poll();
            if (id == null) {
                return;
            }
            queued.remove(id);
        }
    }

    /**
     * Runs a message this node claimed when it stored it. Should the queue be full after all, the claim is given
     * back so that any worker's poller takes it, instead of waiting out the lease.
     */
    public void run(InboxMessage claimed) {
        if (queued.contains(claimed.id())) {
            // queued to be claimed, which it now cannot be: the poller hands it out again
            handBack(claimed, "handed back: queued twice");
            return;
        }
        enqueue(claimed.id(), () -> {
            if (holding.getAsBoolean()) {
                handBack(claimed, "handed back: burst hold");
            } else {
                process(claimed);
            }
        }, () -> handBack(claimed, "handed back: queue full"));
    }

    private void handBack(InboxMessage claimed, String why) {
        writer.record(new InboxRepository.Finish(claimed.id(), nodeId,
                new Result(State.PENDING, clock.instant(), false, null, null, null, null, why)));
    }

    private void enqueue(String id, Runnable work, Runnable rejected) {
        if (!queued.add(id)) {
            return;
        }
        try {
            workers.execute(() -> {
                queued.remove(id);
                busy.incrementAndGet();
                try {
                    work.run();
                } finally {
                    busy.decrementAndGet();
                }
            });
        } catch (RejectedExecutionException e) {
            queued.remove(id);
            rejected.run();
        }
    }

    /** One poll: queues what is due or orphaned, up to the free room in the work queue. Returns how many. */
    public int pollOnce() throws Exception {
        if (!open || holding.getAsBoolean()) {
            return 0;
        }
        int room = workers.getQueue().remainingCapacity() - 100;
        if (room <= 0) {
            return 0;
        }
        Instant now = clock.instant();
        List<String> ids = repository.claimableIds(nodeId, now, now.minus(staleHeartbeat), Math.min(room, POLL_CLAIMS));
        // claimed together, one commit, and run as a message claimed when it was stored; one queued already is
        // claimed by its own worker
        ids.removeIf(queued::contains);
        claimAndRun(ids, now);
        return ids.size();
    }

    /** Claims {@code ids} in one transaction and runs each one it got, as a message claimed when it was stored. */
    private void claimAndRun(List<String> ids, Instant now) throws Exception {
        repository.claimAll(ids, nodeId, now, lease, now.minus(staleHeartbeat)).forEach(this::run);
    }

    /** Messages queued or running on this node now. */
    public int inFlight() {
        return queued.size() + busy.get();
    }

    private void process(InboxMessage message) {
        MDC.put("hrb.trace", message.traceId());
        long started = System.nanoTime();
        Instant startedAt = clock.instant();
        try {
            if (flows != null && flows.paused(message)) {
                park(message);
                return;
            }
            List<InboxRepository.ResultWrite> writes = new ArrayList<>();
            Exchange exchange = template().send("direct:" + message.flow(), e -> {
                e.setProperty(RESULT_WRITES, writes);
                Message in = e.getIn();
                in.setBody(message.payload());
                in.setHeader("HrbMessageId", message.id());
                in.setHeader("HrbTraceId", message.traceId());
                in.setHeader("HrbKind", message.kind().name());
                in.setHeader("HrbEventType", message.eventType());
                in.setHeader("HrbAttempt", message.attempts());
                // a Feishu event's flow calls Feishu as the app it came in through, in its tenant
                if (message.feishuApp() != null) {
                    in.setHeader(FeishuCall.FEISHU_APP, message.feishuApp());
                }
                if (message.tenantKey() != null) {
                    in.setHeader(FeishuCall.TENANT_KEY, message.tenantKey());
                }
            });
            String flow = flowOf(message, exchange);
            Result result = resultOf(message, flow, exchange);
            long millis = (System.nanoTime() - started) / 1_000_000;
            InboxRepository.Finish finish = new InboxRepository.Finish(message.id(), nodeId, result,
                    result.attemptCounted() ? new InboxRepository.Attempt(message.attemptSeq(), message.attempts(), startedAt,
                            millis, flow, routeOf(message, exchange)) : null, writes);
            if (result.state() == State.DEAD) {
                // the dead letter, the final state and the alert that reports it go together, in one transaction
                String letterId = MessageIds.next();
                InboxMessage.New alert = alerts == null ? null : alerts.dead(new Alerts.Dead(message.id(),
                        message.kind().name(), flow, message.traceId(), message.eventType(), letterId, result.httpStatus(),
                        result.platformCode(), result.platformMsg(), result.lastError(), message.attempts(), clock.instant()));
                if (!repository.bury(message, flow, finish, letterId, alert, clock.instant())) {
                    LOG.warn("Inbox message {} ({}) was taken over by another worker while it ran; its result is dropped",
                            message.id(), message.traceId());
                    return;
                }
                if (alert != null) {
                    submit(alert.id());
                }
            } else {
                // group-committed; the worker waits for it, so a crash can repeat at most one finished call per
                // worker (not every result still queued); should it be lost, the lease runs out and it runs again
                finish = record(message, finish);
                result = finish.result();
            }
            noted(message, flow, result);
            if (result.state() == State.PENDING) {
                LOG.info("{} {} attempt {} failed, retry at {}: {} ({} ms)", flow, message.traceId(),
                        message.attempts(), result.nextAttemptAt(), result.lastError(), millis);
            } else if (result.state() == State.DEAD || result.state() == State.FAILED) {
                LOG.warn("{} {} {} after {} attempt(s): {} ({} ms)", flow, message.traceId(), result.state(),
                        message.attempts(), result.lastError(), millis);
            } else {
                LOG.info("{} {} {}{} ({} ms)", flow, message.traceId(), result.state(),
                        result.outcome() == null ? "" : " " + result.outcome(), millis);
            }
        } catch (Exception e) {
            // the lease runs out and the poller tries again
            LOG.error("Recording the result of inbox message {} failed", message.id(), e);
        } finally {
            MDC.remove("hrb.trace");
        }
    }

    /**
     * Commits {@code finish} and waits for it. Should the database refuse the flow's own writes, they would be refused
     * on every attempt: the message ends FAILED for its data instead, as a refused write inside the flow does.
     */
    private InboxRepository.Finish record(InboxMessage message, InboxRepository.Finish finish) {
        try {
            writer.record(finish).join();
            return finish;
        } catch (CompletionException e) {
            if (finish.writes().isEmpty() || !Database.refused(e)) {
                throw e;
            }
            Throwable refusal = e.getCause() == null ? e : e.getCause();
            LOG.warn("{} {}: the database refused what the flow stores with its result: {}", message.flow(),
                    message.traceId(), refusal.toString());
            InboxRepository.Finish failed = finish.withResult(new Result(State.FAILED, null, true, "unstorable_data",
                    finish.result().httpStatus(), finish.result().platformCode(), finish.result().platformMsg(),
                    describe(refusal)));
            writer.record(failed).join();
            return failed;
        }
    }

    /**
     * Makes {@code write} in the transaction that records the result of the inbox message {@code exchange} runs, when
     * the inbox runs it: one commit for both, and none of it should the worker have lost the message meanwhile. A
     * crash before that commit leaves neither, and the message runs again. Returns false when {@code exchange} was not
     * sent by the inbox (a test, a route of its own): the caller then writes itself.
     */
    @SuppressWarnings("unchecked")
    public static boolean writeWithResult(Exchange exchange, InboxRepository.ResultWrite write) {
        List<InboxRepository.ResultWrite> writes = exchange.getProperty(RESULT_WRITES, List.class);
        if (writes == null) {
            return false;
        }
        writes.add(write);
        return true;
    }

    /** Hands a message of a paused flow back PENDING, out of the poller's way until its flow is resumed. */
    private void park(InboxMessage message) {
        LOG.debug("{} {} waits: flow {} is paused", message.flow(), message.traceId(), flows.flowOf(message));
        writer.record(new InboxRepository.Finish(message.id(), nodeId, new Result(State.PENDING, InboxRepository.PARKED,
                false, message.outcome(), message.httpStatus(), message.platformCode(), message.platformMsg(),
                message.lastError())));
    }

    /**
     * The flow a message ran in: what its route names ({@code HrbFlow}), an {@code on-<type>} route's id for an event
     * it took, else the route the inbox sent it to.
     */
    private String flowOf(InboxMessage message, Exchange exchange) {
        String named = exchange.getMessage().getHeader(FLOW, String.class);
        if (named != null) {
            return named;
        }
        if (message.kind() == Kind.EVENT && message.eventType() != null
                && camel.getRoute(EventHandlers.routeId(message.eventType())) != null) {
            return EventHandlers.routeId(message.eventType());
        }
        return message.flow();
    }

    /** The route an attempt failed in, else the one the message was sent to. */
    private static String routeOf(InboxMessage message, Exchange exchange) {
        String failed = exchange.getProperty(ExchangePropertyKey.FAILURE_ROUTE_ID, String.class);
        return failed != null ? failed : message.flow();
    }

    /** Notes a counted attempt in the flow's health, and the flow an event type ran in. */
    private void noted(InboxMessage message, String flow, Result result) {
        if (!result.attemptCounted() || result.state() == State.UNHANDLED || Inbox.EVENT_FLOW.equals(flow)) {
            return;
        }
        if (health != null) {
            health.noted(flow, result.state() == State.SUCCEEDED, clock.instant(), result.lastError(), result.platformCode());
        }
        if (flows != null && message.kind() == Kind.EVENT) {
            flows.learn(message.eventType(), flow);
        }
    }

    private ProducerTemplate template() {
        if (template == null) {
            synchronized (this) {
                if (template == null) {
                    template = camel.createProducerTemplate();
                }
            }
        }
        return template;
    }

    private Result resultOf(InboxMessage message, String flow, Exchange exchange) {
        Message out = exchange.getMessage();
        Throwable failure = exchange.getException();
        if (failure == null) {
            String finalState = out.getHeader(FINAL_STATE, String.class);
            return new Result(finalState == null ? State.SUCCEEDED : State.valueOf(finalState), null, true,
                    out.getHeader(OUTCOME, String.class), out.getHeader(HTTP_STATUS, Integer.class),
                    out.getHeader(PLATFORM_CODE, Integer.class), out.getHeader(PLATFORM_MSG, String.class), null);
        }
        OutboundFailure outbound = find(failure, OutboundFailure.class);
        Integer httpStatus = outbound == null ? null : outbound.httpStatus();
        Integer code = outbound == null ? null : outbound.platformCode();
        String msg = outbound == null ? null : outbound.platformMsg();
        String error = describe(outbound != null ? outbound : failure);
        Instant now = clock.instant();
        if (outbound instanceof DeferredFailure deferred) {
            return new Result(State.PENDING, now.plus(deferred.retryAfter()), false, null, null, null, null, error);
        }
        if (outbound instanceof PermanentFailure) {
            // a caller polling its request sees FAILED; an event has no caller, so it becomes a dead letter
            State state = message.kind() == Kind.REQUEST ? State.FAILED : State.DEAD;
            return new Result(state, null, true, "permanent_failure", httpStatus, code, msg, error);
        }
        if (outbound == null && dataRefused(failure)) {
            // the same data is refused however often it runs: FAILED with the reason, no retries, no dead letter
            return new Result(State.FAILED, null, true, "unstorable_data", null, null, null, error);
        }
        if (outbound == null) {
            LOG.error("{} {} failed unexpectedly on attempt {}", flow, message.traceId(), message.attempts(), failure);
        }
        if (message.attempts() >= retryPolicy.maxAttempts(flow)) {
            return new Result(State.DEAD, null, true, "retries_exhausted", httpStatus, code, msg, error);
        }
        Duration wait = retryPolicy.delayBeforeAttempt(flow, message.attempts(),
                outbound == null ? null : outbound.retryAfter());
        return new Result(State.PENDING, now.plus(wait), true, null, httpStatus, code, msg, error);
    }

    /** The database refused the flow's data (too long for a column, a broken constraint), or a bound check did. */
    private static boolean dataRefused(Throwable failure) {
        ApiException bound = find(failure, ApiException.class);
        return Database.refused(failure) || bound != null && bound.fieldTooLong();
    }

    private static String describe(Throwable failure) {
        String text = failure.getMessage();
        return failure.getClass().getSimpleName() + (text == null ? "" : ": " + text);
    }

    private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return type.cast(cause);
            }
        }
        return null;
    }

    @Override
    public void close() {
        if (flows != null) {
            flows.close();
        }
        workers.shutdown();
        try {
            if (!workers.awaitTermination(10, TimeUnit.SECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (template != null) {
            try {
                template.close();
            } catch (Exception ignored) {
                // stopping anyway
            }
        }
    }
}
