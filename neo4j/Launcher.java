// Starts an embedded Neo4j Community DBMS with the Bolt connector on loopback, for the project's demo
// and tests. Run as a single-file program: java -cp 'neo4j/lib/*' neo4j/Launcher.java <options>
//
//   --home <dir>          data folder (created when missing)
//   --port <n>            Bolt port on 127.0.0.1 (0 picks a free one; the ready line names it)
//   --watch-parent <pid>  exit when that process is gone, so no JVM outlives a crashed parent
//   --pagecache <size>    page cache size, e.g. 256m
//
// Prints one line "UNIMATRIX-NEO4J READY bolt://127.0.0.1:<port>" once Bolt accepts connections, and
// shuts the DBMS down cleanly on SIGTERM/SIGINT. It never reads stdin (CI has none).
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;

public class Launcher {
    public static void main(String[] args) throws Exception {
        Map<String, String> options = parse(args);
        Path home = Path.of(options.getOrDefault("--home", ".unimatrix/neo4j")).toAbsolutePath();
        int port = Integer.parseInt(options.getOrDefault("--port", "7687"));
        if (port == 0) {
            port = freePort();
        }
        long pagecache = parseSize(options.getOrDefault("--pagecache", "256m"));

        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(HttpConnector.enabled, false)
                .setConfig(HttpsConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, false)
                .setConfig(GraphDatabaseSettings.pagecache_memory, pagecache)
                .setConfig(GraphDatabaseSettings.transaction_timeout, Duration.ofMinutes(5))
                .build();

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                dbms.shutdown();
            } finally {
                stopped.countDown();
            }
        }, "unimatrix-neo4j-shutdown"));

        String parent = options.get("--watch-parent");
        if (parent != null) {
            watchParent(Long.parseLong(parent));
        }

        // The default database must be online before anyone is told the DBMS is ready.
        dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME).executeTransactionally("RETURN 1");
        System.out.println("UNIMATRIX-NEO4J READY bolt://127.0.0.1:" + port);
        System.out.flush();
        stopped.await();
    }

    private static void watchParent(long pid) {
        Thread watcher = new Thread(() -> {
            while (true) {
                boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
                if (!alive) {
                    System.err.println("unimatrix-neo4j: parent " + pid + " is gone, shutting down");
                    System.exit(0);
                }
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "unimatrix-neo4j-parent-watch");
        watcher.setDaemon(true);
        watcher.start();
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static long parseSize(String text) {
        String t = text.trim().toLowerCase();
        long unit = 1;
        if (t.endsWith("k")) { unit = ByteUnit.kibiBytes(1); }
        else if (t.endsWith("m")) { unit = ByteUnit.mebiBytes(1); }
        else if (t.endsWith("g")) { unit = ByteUnit.gibiBytes(1); }
        if (unit != 1) {
            t = t.substring(0, t.length() - 1);
        }
        return Long.parseLong(t) * unit;
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("usage: Launcher [--home DIR] [--port N] [--watch-parent PID] [--pagecache SIZE]; bad argument " + args[i]);
            }
            options.put(args[i], args[++i]);
        }
        return options;
    }
}
