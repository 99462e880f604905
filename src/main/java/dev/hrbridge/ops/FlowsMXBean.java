package dev.hrbridge.ops;

import java.util.List;

/** JMX view of the flows: {@code dev.hrbridge:type=Flows}. */
public interface FlowsMXBean {

    /** The flows paused now. */
    List<String> getPaused();

    /** Every flow with its state, as {@code GET /api/v1/flows} answers it (JSON). */
    String getFlows();

    /** Pauses {@code flow} on every instance: its messages wait PENDING. Answers its state, or why it was refused. */
    String pause(String flow);

    /** Resumes {@code flow}: its waiting messages run now. Answers its state, or why it was refused. */
    String resume(String flow);
}
