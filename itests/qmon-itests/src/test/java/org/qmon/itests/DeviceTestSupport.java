package org.qmon.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.After;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.qmon.api.device.Display;
import org.qmon.client.QmpException;

/**
 * Helpers of the device integration tests: displays created through Configuration Admin (as a Karaf
 * {@code config:} edit or a {@code .cfg} file would), lookups of the device services, and clean-up that
 * leaves no display behind, so every test starts without devices.
 */
public abstract class DeviceTestSupport extends QmonTestSupport {

    static final long T = WAIT.toSeconds();
    static final String DISPLAY_PID = "org.qmon.display";
    static final String DISPLAY_BSN = "org.qmon.qmon-display";

    /** Removes every display configuration and waits until no display service is left. */
    @After
    public void removeDisplays() throws Exception {
        ensureDisplayBundleActive();
        Configuration[] configs = configurationAdmin.listConfigurations("(service.factoryPid=" + DISPLAY_PID + ")");
        if (configs != null) {
            for (Configuration c : configs) {
                c.delete();
            }
        }
        awaitCondition(() -> displays().isEmpty(), "every display to be gone");
    }

    /** Reinstalls the display bundle if a test uninstalled it and failed before putting it back. */
    protected void ensureDisplayBundleActive() throws Exception {
        Bundle b = displayBundle();
        if (b == null) {
            b = context.installBundle(bundleUrl("qmon-display"));
        }
        if (b.getState() != Bundle.ACTIVE) {
            b.start();
        }
        awaitCondition(() -> dispatcherHas("screendump", true), "screendump to be registered");
    }

    protected Bundle displayBundle() {
        for (Bundle b : context.getBundles()) {
            if (DISPLAY_BSN.equals(b.getSymbolicName())) {
                return b;
            }
        }
        return null;
    }

    protected static String uniqueId(String prefix) {
        return prefix + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A fresh directory for image files. */
    protected static Path workDir() throws Exception {
        Path d = Path.of(System.getProperty("qmon.itest.dir"), "shots-" + UUID.randomUUID().toString().substring(0, 8));
        Files.createDirectories(d);
        return d;
    }

    /**
     * Creates a display with Configuration Admin and waits for its service.
     *
     * @param id the device id (the configuration's name)
     * @param properties driver properties, e.g. {@code refresh-rate}
     * @return the display service
     */
    protected Display addDisplay(String id, Map<String, Object> properties) throws Exception {
        Configuration c = configurationAdmin.getFactoryConfiguration(DISPLAY_PID, id, "?");
        c.update(new Hashtable<>(properties));
        awaitCondition(() -> display(id).isPresent(), "display " + id + " to appear");
        return display(id).orElseThrow();
    }

    protected List<Display> displays() {
        List<Display> out = new ArrayList<>();
        try {
            var refs = context.getServiceReferences(Display.class, null);
            for (ServiceReference<Display> r : refs) {
                Display d = context.getService(r);
                if (d != null) {
                    out.add(d);
                    context.ungetService(r);
                }
            }
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    protected Optional<Display> display(String id) {
        return displays().stream().filter(d -> d.id().equals(id)).findFirst();
    }

    /** Threads named as a display's worker. */
    protected static long workerThreads(String id) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("qmon-display-" + id) && t.isAlive()).count();
    }

    protected static int pendingFrames(Display d) {
        return ((Number) d.properties().get("pending-frames")).intValue();
    }

    /** Asserts that a call fails with a QMP error of this class and text. */
    protected static QmpException assertQmpError(CompletableFuture<JsonNode> call, String errorClass, String description)
            throws Exception {
        try {
            JsonNode r = call.get(T, TimeUnit.SECONDS);
            fail("expected " + errorClass + " '" + description + "', got " + r);
            return null;
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof QmpException q)) {
                throw e;
            }
            assertEquals(errorClass, q.errorClass());
            assertEquals(description, q.description());
            return q;
        }
    }
}
