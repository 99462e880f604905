package dev.hrbridge.tools;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * The tools of {@code hr-bridge.jar} beside the server: its first argument {@code validate} or {@code try} selects
 * one ({@link ValidateCommand}, {@link TryCommand}); anything else starts HR Bridge.
 */
public final class RouteTools {

    private RouteTools() {
    }

    /** True when {@code args} ask for a tool rather than the server. */
    public static boolean selected(String[] args) {
        return args.length > 0 && (args[0].equals("validate") || args[0].equals("try"));
    }

    /** Runs the tool {@code args} select; answers its exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        if (rest.contains("--help") || rest.contains("-h")) {
            out.println(args[0].equals("validate") ? ValidateCommand.USAGE : TryCommand.USAGE);
            return 0;
        }
        return args[0].equals("validate") ? ValidateCommand.run(rest, out, err) : TryCommand.run(rest, out, err);
    }
}
