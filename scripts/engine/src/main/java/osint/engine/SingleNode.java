package osint.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.opensearch.cluster.service.ClusterService;
import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.core.common.transport.TransportAddress;
import org.opensearch.env.Environment;
import org.opensearch.http.HttpServerTransport;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.plugins.Plugin;

/**
 * One OpenSearch node in this JVM, with the modules a distribution would load found on the
 * classpath instead of in a modules/ directory. Listens on loopback only.
 *
 * Usage: SingleNode HOME HTTP_PORT
 * HOME holds data/, logs/ and, once the node serves HTTP, a file "url" with its address
 * (written atomically, so a reader never sees half of it). HTTP_PORT 0 picks a free port.
 * Settings may be added as system properties prefixed "osint.engine.setting." . With the system
 * property "osint.engine.parent" set to a process id, the node stops when that process ends,
 * so a test run that dies does not leave an engine behind.
 */
public final class SingleNode {

    /** Modules of the OpenSearch distribution this node needs; see pom.xml. */
    private static final String[] MODULES = {
        "org.opensearch.transport.Netty4Plugin",
        "org.opensearch.analysis.common.CommonAnalysisPlugin",
        "org.opensearch.percolator.PercolatorPlugin",
        "org.opensearch.index.reindex.ReindexPlugin",
        "org.opensearch.painless.PainlessPlugin",
        "org.opensearch.index.mapper.MapperExtrasPlugin",
    };

    private static final String SETTING_PREFIX = "osint.engine.setting.";

    /** Node's constructor taking classpath plugins is protected: this subclass opens it. */
    private static final class ClasspathNode extends Node {
        ClasspathNode(Environment environment, Collection<Class<? extends Plugin>> plugins) {
            super(environment, plugins, true);
        }

        @Override
        protected void configureNodeAndClusterIdStateListener(ClusterService clusterService) {
            // The listener feeds a log4j pattern converter that only a file-configured
            // distribution registers; without it the listener fails on the first cluster state.
        }
    }

    private SingleNode() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: SingleNode HOME HTTP_PORT");
            System.exit(2);
        }
        Path home = Paths.get(args[0]).toAbsolutePath();
        Files.createDirectories(home.resolve("config"));
        Files.deleteIfExists(home.resolve("url"));

        Settings.Builder builder = Settings.builder()
            .put("path.home", home.toString())
            .put("path.data", home.resolve("data").toString())
            .put("path.logs", home.resolve("logs").toString())
            .put("cluster.name", "osint-engine")
            .put("node.name", "osint-engine-node")
            .put("network.host", "127.0.0.1")
            .put("http.port", args[1])
            .put("transport.port", "0")
            .put("discovery.type", "single-node")
            // Warnings and errors go to stdout, which scripts/engine/run.py keeps in engine.log.
            .put("logger.level", "WARN")
            // Tests run on nearly full disks too; the watermarks would turn indices read-only.
            .put("cluster.routing.allocation.disk.threshold_enabled", false);
        System.getProperties().stringPropertyNames().stream()
            .filter(name -> name.startsWith(SETTING_PREFIX))
            .forEach(name -> builder.put(name.substring(SETTING_PREFIX.length()), System.getProperty(name)));
        Settings settings = builder.build();

        LogConfigurator.registerErrorListener();
        LogConfigurator.configureWithoutConfig(settings);
        Environment environment = InternalSettingsPreparer.prepareEnvironment(
            settings, java.util.Map.of(), home.resolve("config"), () -> "osint-engine-node");
        Files.createDirectories(environment.modulesFile());
        Files.createDirectories(environment.pluginsFile());

        List<Class<? extends Plugin>> modules = new ArrayList<>();
        for (String name : MODULES) {
            modules.add(Class.forName(name).asSubclass(Plugin.class));
        }

        Node node = new ClasspathNode(environment, modules);
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
                node.awaitClose(20, TimeUnit.SECONDS);
            } catch (IOException | InterruptedException e) {
                System.err.println("closing the node failed: " + e);
            } finally {
                closed.countDown();
            }
        }, "osint-engine-shutdown"));

        node.start();
        String parent = System.getProperty("osint.engine.parent");
        if (parent != null && !parent.isEmpty()) {
            ProcessHandle.of(Long.parseLong(parent)).ifPresentOrElse(
                handle -> handle.onExit().thenRun(() -> System.exit(0)),
                () -> System.exit(0));
        }
        TransportAddress address = node.injector().getInstance(HttpServerTransport.class).boundAddress().publishAddress();
        writeAtomically(home.resolve("url"), "http://127.0.0.1:" + address.getPort() + "\n");
        System.out.println("osint-engine listening on http://127.0.0.1:" + address.getPort());
        closed.await();
    }

    private static void writeAtomically(Path target, String content) throws IOException {
        Path temporary = target.resolveSibling(target.getFileName() + ".tmp");
        Files.writeString(temporary, content, StandardCharsets.UTF_8);
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
