package dev.hrbridge.config;

/**
 * A setting that is missing or malformed. Its message names the property and its environment variable,
 * so an operator can fix the deployment without reading code.
 */
public class ConfigurationException extends RuntimeException {
    public ConfigurationException(String message) {
        super(message);
    }
}
