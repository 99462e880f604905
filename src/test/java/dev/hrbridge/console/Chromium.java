package dev.hrbridge.console;

import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Debian's headless Chromium driven through its chromedriver, for the console's browser tests. When the packages are
 * missing (a fresh machine) it installs them with apt-get, as CI runs as root with Debian's archive reachable; where
 * it cannot (not root, no apt-get, the install failed) the test fails saying what to install: a browser test that
 * skipped itself would pass without having looked at the page.
 */
final class Chromium {

    static final Path BROWSER = Path.of("/usr/bin/chromium");
    static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    private static final List<String> PACKAGES = List.of("chromium", "chromium-driver");

    private Chromium() {
    }

    /** A fresh headless browser (its own empty profile) whose window is {@code width} × {@code height}. */
    static ChromeDriver start(Path profile, int width, int height) throws Exception {
        ensureInstalled();
        ChromeOptions options = new ChromeOptions().setBinary(BROWSER.toFile())
                // as root in a container; no GPU; no calls to Google's services, which this network refuses
                .addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        "--disable-dev-shm-usage", "--user-data-dir=" + profile.toAbsolutePath(),
                        "--window-size=" + width + "," + height, "--lang=en-US");
        // the page's console messages, so a test sees its JavaScript errors
        options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    /** Sends {@code Authorization: <value>} with every request of the page, as a browser does once an operator logged in. */
    static void authorize(ChromeDriver browser, String value) {
        browser.executeCdpCommand("Network.enable", Map.of());
        browser.executeCdpCommand("Network.setExtraHTTPHeaders", Map.of("headers", Map.of("Authorization", value)));
    }

    /** The whole page, beyond the window, as PNG. */
    static void screenshot(ChromeDriver browser, Path file) throws IOException {
        Map<String, Object> shot = browser.executeCdpCommand("Page.captureScreenshot",
                Map.of("format", "png", "captureBeyondViewport", true));
        Files.createDirectories(file.getParent());
        Files.write(file, Base64.getDecoder().decode((String) shot.get("data")));
    }

    /** The visible window as PNG (an open side panel stays where the operator sees it). */
    static void window(ChromeDriver browser, Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, browser.getScreenshotAs(OutputType.BYTES));
    }

    static synchronized void ensureInstalled() throws Exception {
        if (Files.isExecutable(BROWSER) && Files.isExecutable(DRIVER)) {
            return;
        }
        String missing = "Debian's packages " + PACKAGES + " (" + BROWSER + ", " + DRIVER + ")";
        if (!"root".equals(System.getProperty("user.name")) || !new File("/usr/bin/apt-get").canExecute()) {
            throw new IllegalStateException("The console's browser tests need " + missing + ". Install them "
                    + "(apt-get install -y chromium chromium-driver) or run the build as root on Debian, where it installs them.");
        }
        // the package lists of a fresh machine may be missing or stale: install, and update first if that fails
        if (apt("install", "-y") != 0 && (apt("update") != 0 || apt("install", "-y") != 0)) {
            throw new IllegalStateException("apt-get could not install " + missing + "; see the output above");
        }
        if (!Files.isExecutable(BROWSER) || !Files.isExecutable(DRIVER)) {
            throw new IllegalStateException("apt-get ran but " + missing + " are still missing");
        }
    }

    private static int apt(String... arguments) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("apt-get", "-q"));
        command.addAll(List.of(arguments));
        if (arguments[0].equals("install")) {
            command.addAll(PACKAGES);
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.INHERIT).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().put("DEBIAN_FRONTEND", "noninteractive");
        Process apt = builder.start();
        if (!apt.waitFor(15, TimeUnit.MINUTES)) {
            apt.destroyForcibly();
            return -1;
        }
        return apt.exitValue();
    }
}
