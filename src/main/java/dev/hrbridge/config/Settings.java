package dev.hrbridge.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * The resolved configuration of one HR Bridge instance.
 * <p>
 * Sources, lowest to highest: {@code application.properties}, {@code application-<profile>.properties},
 * environment variables, system properties, explicit overrides (tests, the sandbox). Each property
 * {@code a.b-c} has the environment variable {@code A_B_C}. An empty value means "not set".
 * The resolved map is handed to Camel as override properties, so routes see exactly these values.
 */
public final class Settings {

    private final Map<String, String> declared;
    private final Map<String, String> env;
    private final Properties system;
    private final Map<String, String> overrides;

    private Settings(Map<String, String> declared, Map<String, String> env, Properties system,
                     Map<String, String> overrides) {
        this.declared = declared;
        this.env = env;
        this.system = system;
        this.overrides = overrides;
    }

    public static Settings load(Map<String, String> env, Properties system, Map<String, String> overrides) {
        Map<String, String> files = new LinkedHashMap<>(readClasspath("application.properties"));
        Settings base = new Settings(files, env, system, overrides);
        String profile = base.get("hrb.profile");
        if (profile != null) {
            files.putAll(readClasspath("application-" + profile.toLowerCase(Locale.ROOT) + ".properties"));
        }
        return base;
    }

    public static Settings load(Map<String, String> overrides) {
        return load(System.getenv(), System.getProperties(), overrides);
    }

    /** {@code feishu.app-id} becomes {@code FEISHU_APP_ID}. */
    public static String envName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    public Settings with(Map<String, String> more) {
        Map<String, String> copy = new LinkedHashMap<>(overrides);
        copy.putAll(more);
        return new Settings(declared, env, system, copy);
    }

    /** Every key the property files declare or an override sets, resolved; what Camel's placeholders see. */
    public Map<String, String> asMap() {
        Map<String, String> resolved = new LinkedHashMap<>();
        declared.keySet().forEach(key -> resolved.put(key, raw(key) == null ? "" : raw(key)));
        overrides.forEach(resolved::put);
        return resolved;
    }

    /**
     * The names {@code n} for which some {@code <prefix>n.<suffix>} is set, in any source, with {@code suffix} one of
     * {@code suffixes}: {@code namesUnder("feishu.apps.", List.of("app-id"))} finds {@code store-a} in
     * {@code feishu.apps.store-a.app-id} and in {@code FEISHU_APPS_STORE_A_APP_ID} (an underscore in the name part of an
     * environment variable reads as a dash, so such names are lower case letters, digits and dashes).
     */
    public Set<String> namesUnder(String prefix, List<String> suffixes) {
        List<String> keys = new ArrayList<>(declared.keySet());
        keys.addAll(overrides.keySet());
        keys.addAll(system.stringPropertyNames());
        Set<String> names = new TreeSet<>();
        for (String key : keys) {
            for (String suffix : suffixes) {
                if (key.startsWith(prefix) && key.endsWith("." + suffix) && key.length() > prefix.length() + suffix.length() + 1) {
                    names.add(key.substring(prefix.length(), key.length() - suffix.length() - 1));
                }
            }
        }
        String envPrefix = envName(prefix);
        for (String variable : env.keySet()) {
            for (String suffix : suffixes) {
                String envSuffix = "_" + envName(suffix);
                if (variable.startsWith(envPrefix) && variable.endsWith(envSuffix)
                        && variable.length() > envPrefix.length() + envSuffix.length()) {
                    names.add(variable.substring(envPrefix.length(), variable.length() - envSuffix.length())
                            .toLowerCase(Locale.ROOT).replace('_', '-'));
                }
            }
        }
        // only names with a value: an empty variable means "not set"
        names.removeIf(name -> suffixes.stream().noneMatch(suffix -> isSet(prefix + name + "." + suffix)));
        return names;
    }

    public boolean isSet(String key) {
        return get(key) != null;
    }

    /** The value of {@code key} by precedence, trimmed; null when unset or blank. */
    public String get(String key) {
        String value = raw(key);
        return value == null || value.isBlank() ? null : value.trim();
    }

    private String raw(String key) {
        if (overrides.containsKey(key)) {
            return overrides.get(key);
        }
        if (system.getProperty(key) != null) {
            return system.getProperty(key);
        }
        String fromEnv = env.get(envName(key));
        return fromEnv != null ? fromEnv : declared.get(key);
    }

    public String get(String key, String fallback) {
        String value = get(key);
        return value == null ? fallback : value;
    }

    public String require(String key) {
        String value = get(key);
        if (value == null) {
            throw new ConfigurationException(describe(key) + " is required but not set");
        }
        return value;
    }

    public int getInt(String key, int min, int max) {
        String raw = require(key);
        try {
            int value = Integer.parseInt(raw);
            if (value < min || value > max) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new ConfigurationException(describe(key) + " must be a whole number from " + min + " to " + max
                    + ", got '" + raw + "'");
        }
    }

    public long getLong(String key, long min, long max) {
        String raw = require(key);
        try {
            long value = Long.parseLong(raw);
            if (value < min || value > max) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new ConfigurationException(describe(key) + " must be a whole number from " + min + " to " + max
                    + ", got '" + raw + "'");
        }
    }

    public double getDouble(String key, double min, double max) {
        String raw = require(key);
        try {
            double value = Double.parseDouble(raw);
            if (!(value >= min && value <= max)) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new ConfigurationException(describe(key) + " must be a number from " + min + " to " + max
                    + ", got '" + raw + "'");
        }
    }

    public boolean getBoolean(String key) {
        String raw = get(key, "false");
        if (raw.equalsIgnoreCase("true") || raw.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(raw);
        }
        throw new ConfigurationException(describe(key) + " must be true or false, got '" + raw + "'");
    }

    /** An ISO-8601 duration ({@code PT30M}, {@code P30D}) or a number with a unit ({@code 30m}, {@code 12h}, {@code 7d}). */
    public Duration getDuration(String key) {
        String raw = get(key);
        if (raw == null) {
            return null;
        }
        try {
            if (raw.matches("\\d+(ms|s|m|h|d)")) {
                long amount = Long.parseLong(raw.replaceAll("\\D", ""));
                return switch (raw.replaceAll("\\d", "")) {
                    case "ms" -> Duration.ofMillis(amount);
                    case "s" -> Duration.ofSeconds(amount);
                    case "m" -> Duration.ofMinutes(amount);
                    case "h" -> Duration.ofHours(amount);
                    default -> Duration.ofDays(amount);
                };
            }
            Duration value = Duration.parse(raw.toUpperCase(Locale.ROOT).startsWith("P") ? raw : "PT" + raw);
            if (value.isNegative() || value.isZero()) {
                throw new DateTimeParseException("not positive", raw, 0);
            }
            return value;
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new ConfigurationException(describe(key) + " must be a positive duration such as 30m, 12h, 7d or P30D, got '"
                    + raw + "'");
        }
    }

    public URI getHttpUrl(String key) {
        String raw = require(key);
        try {
            URI uri = URI.create(raw);
            if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
                throw new IllegalArgumentException();
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(describe(key) + " must be an http(s) URL, got '" + raw + "'");
        }
    }

    /** "feishu.app-id (FEISHU_APP_ID)": how every message names a setting. */
    public static String describe(String key) {
        return key + " (" + envName(key) + ")";
    }

    private static Map<String, String> readClasspath(String name) {
        Map<String, String> result = new LinkedHashMap<>();
        try (InputStream in = Settings.class.getClassLoader().getResourceAsStream(name)) {
            if (in != null) {
                Properties props = new Properties();
                props.load(new InputStreamReader(in, StandardCharsets.UTF_8));
                props.stringPropertyNames().forEach(k -> result.put(k, props.getProperty(k)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name, e);
        }
        return result;
    }

}
