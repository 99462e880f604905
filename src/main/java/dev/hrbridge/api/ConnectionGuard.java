package dev.hrbridge.api;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Watches one business-port connection for the client's part of each exchange: a request head must be complete within
 * the head timeout of the connection opening (or of its first byte after an idle spell), a body within the body timeout
 * of its head, and a connection with nothing to do is closed after the idle timeout. While a request is being answered
 * no timeout runs: the routes bound that. A connection cut off while a request was due or partly read is answered 408
 * (503 when the connection limit closed it) in the JSON shape of every error; an idle one is closed silently, since its
 * client may be sending a new request at that very moment. A client that sends more than {@link #MOST_REQUESTS_AHEAD}
 * requests ahead of its answers is cut off.
 * <p>
 * It sits between Vert.x's HTTP codec and Vert.x's connection, so it sees whole heads, body ends and responses; all
 * its methods run on the connection's event loop.
 */
final class ConnectionGuard extends ChannelDuplexHandler {

    private static final long NONE = Long.MAX_VALUE;
    /**
     * Requests a client may send ahead of the answers it has received (HTTP pipelining). Vert.x reads and queues every
     * request a connection sends, so without a bound one client that never reads its answers fills the heap.
     */
    static final int MOST_REQUESTS_AHEAD = 16;

    private final ConnectionLimits limits;
    /** Counted in {@link ConnectionLimits}; guarded by it. */
    boolean counted;
    private ChannelHandlerContext context;
    private int heads;
    private int bodies;
    private int answers;
    private boolean answering;
    private boolean idle;
    private boolean dropping;
    private long deadline = NONE;
    private ScheduledFuture<?> timer;
    private long timerAt;

    ConnectionGuard(ConnectionLimits limits) {
        this.limits = limits;
    }

    /** A handler for the front of the pipeline that tells this guard when bytes arrive, before any is decoded. */
    ChannelHandler firstBytes() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (idle) {
                    idle = false;
                    expectBy(System.nanoTime() + limits.headTimeoutNanos());
                }
                ctx.fireChannelRead(msg);
            }
        };
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        context = ctx;
        if (limits.admit(this)) {
            expectBy(System.nanoTime() + limits.headTimeoutNanos());
        } else {
            closeWith(HttpResponseStatus.SERVICE_UNAVAILABLE, "too_many_connections", tooMany());
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (dropping) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest) {
            // closed at the limit from another thread while its head arrived, or too far ahead of its answers
            if (heads - answers >= MOST_REQUESTS_AHEAD || !limits.requestStarted(this)) {
                dropping = true;
                ReferenceCountUtil.release(msg);
                ctx.close();
                return;
            }
            heads++;
            expectBy(System.nanoTime() + limits.bodyTimeoutNanos());
        }
        if (msg instanceof LastHttpContent) {
            bodies++;
            limits.requestRead(this);
            exchangeMoved();
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        boolean interim = msg instanceof HttpResponse response && response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
        if (!interim) {
            if (msg instanceof HttpResponse) {
                answering = true;
            }
            if (msg instanceof LastHttpContent) {
                answering = false;
                answers++;
                exchangeMoved();
            }
        }
        ctx.write(msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        limits.closed(this);
        deadline = NONE;
        if (timer != null) {
            timer.cancel(false);
        }
        ctx.fireChannelInactive();
    }

    /** A body arrived or an answer was written: set the deadline for what the connection waits for now. */
    private void exchangeMoved() {
        if (heads > bodies) {
            return; // still reading a body (already answered, e.g. 413): its deadline stands
        }
        if (answers < heads) {
            expectBy(NONE);
            return;
        }
        idle = true;
        limits.awaitingRequest(this);
        expectBy(System.nanoTime() + limits.idleTimeoutNanos());
    }

    /** Closes this connection because a newer one needs its place; from any thread. */
    void closeAtLimit() {
        if (context.executor().inEventLoop()) {
            // at once, not behind the queue of connections still to be set up: its file descriptor is needed now
            closeWith(HttpResponseStatus.SERVICE_UNAVAILABLE, "too_many_connections", tooMany());
        } else {
            context.executor().execute(() -> closeWith(HttpResponseStatus.SERVICE_UNAVAILABLE, "too_many_connections", tooMany()));
        }
    }

    private String tooMany() {
        return "HR Bridge holds its maximum of " + limits.maxConnections() + " connections; try again";
    }

    private void expectBy(long at) {
        deadline = at;
        if (at == NONE || (timer != null && timerAt - at <= 0)) {
            return; // the running timer fires in time and looks again
        }
        if (timer != null) {
            timer.cancel(false);
        }
        timerAt = at;
        timer = context.executor().schedule(this::timerFired, at - System.nanoTime(), TimeUnit.NANOSECONDS);
    }

    private void timerFired() {
        timer = null;
        if (deadline == NONE) {
            return;
        }
        if (System.nanoTime() - deadline < 0) {
            expectBy(deadline);
        } else if (idle) {
            context.close();
        } else {
            boolean body = heads > bodies;
            closeWith(HttpResponseStatus.REQUEST_TIMEOUT, "request_timeout", "the request " + (body ? "body" : "head")
                    + " did not arrive within " + TimeUnit.NANOSECONDS.toMillis(body ? limits.bodyTimeoutNanos() : limits.headTimeoutNanos())
                    + " ms");
        }
    }

    /** Answers the request the client owes or is sending, when no other answer is under way, and closes. */
    private void closeWith(HttpResponseStatus status, String error, String message) {
        deadline = NONE;
        if (idle || answering || answers != bodies || !context.channel().isActive()) {
            context.close();
            return;
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(HttpErrorAnswers.json(error, message), StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .set(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        answering = true;
        context.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
}
