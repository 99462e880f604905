package dev.hrbridge.routes;

import org.apache.camel.dsl.yaml.common.exception.UnknownNodeIdException;
import org.apache.camel.dsl.yaml.common.exception.UnsupportedFieldException;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A route file the YAML DSL could not read, as a problem with the line the parser points at. */
final class YamlProblems {

    private static final Pattern LINE = Pattern.compile("line (\\d+)");

    private YamlProblems() {
    }

    static RouteProblem of(String file, Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof MarkedYamlEngineException marked) {
                int line = marked.getProblemMark().map(mark -> mark.getLine() + 1).orElse(0);
                String problem = marked.getProblem() == null ? "" : marked.getProblem();
                if (cause instanceof UnknownNodeIdException) {
                    return new RouteProblem(file, line, RouteProblem.Kind.UNKNOWN_EIP,
                            "unknown EIP or step '" + after(problem) + "'");
                }
                if (cause instanceof UnsupportedFieldException) {
                    return new RouteProblem(file, line, RouteProblem.Kind.UNKNOWN_OPTION,
                            "unknown option '" + after(problem) + "'" + where(marked));
                }
                String context = marked.getContext() == null ? "" : marked.getContext() + ": ";
                return new RouteProblem(file, line, RouteProblem.Kind.YAML, context + problem);
            }
        }
        String message = firstMessage(failure);
        Matcher line = LINE.matcher(message);
        return new RouteProblem(file, line.find() ? Integer.parseInt(line.group(1)) : 0, RouteProblem.Kind.YAML,
                message.lines().findFirst().orElse(message));
    }

    /** The name after "Unknown node id: " or "Unsupported field: ". */
    private static String after(String problem) {
        int colon = problem.indexOf(": ");
        return colon < 0 ? problem : problem.substring(colon + 2).trim();
    }

    private static String where(MarkedYamlEngineException marked) {
        return marked.getContext() == null || marked.getContext().isBlank() ? "" : " in " + marked.getContext();
    }

    private static String firstMessage(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause.getMessage() != null && !cause.getMessage().isBlank()) {
                return cause.getMessage();
            }
        }
        return failure.getClass().getSimpleName();
    }
}
