import { Router } from 'express';
import { CmaConfig } from './config/cma-config';
import { alertsRoute } from './api/alerts-route';
import { healthRoute } from './api/health-route';
import { hostsRoute } from './api/hosts-route';
import { metricsRoute } from './api/metrics-route';
import { ringsRoute } from './api/rings-route';
import { AlertService } from './alerts/alert-service';
import { AlertStore } from './alerts/alert-store';
import { AgentLoadBook } from './fleet/agent-load';
import { HostStore } from './fleet/host-store';
import { RingStore } from './fleet/ring-store';
import { InboundRouter } from './inbound-router';
import { MembershipStoppedError } from './membership-service/event-queue';
import { MembershipService, type MembershipStores } from './membership-service/membership-service';
import { discoveryRoute } from './api/discovery-route';
import { queriesRoute } from './api/queries-route';
import { DiscoverySchedule } from './discovery/discovery-schedule';
import { DiscoveryIngestService } from './discovery/ingest-service';
import { linkDiscovery } from './discovery/membership-link';
import { linkPollers } from './pollers/link-pollers';
import { pollersRoute } from './api/pollers-route';
import { bindApiServer, type ApiServer } from './api/http-server';
import { openGraph, OpenedGraph } from './graph/open-graph';
import { applyMigrations } from './graph/migrations';
import { Logger } from '../common/logger';

export type RunningCma = {
  apiUrl: string;
  neo4jUri: string;
  graph: OpenedGraph;
  api: ApiServer;
  membership: MembershipService;
  stop(): Promise<void>;
};

/**
 * Starts the CMA: Neo4j (external, or the local one), schema migrations, then the REST API.
 * Later parts (membership, discovery ingest, alerting) attach here.
 */
export async function startCma(config: CmaConfig, log: Logger): Promise<RunningCma> {
  const startedAt = Date.now();
  // The API's port first: one already taken is said at once, not after Neo4j has started.
  const api = await bindApiServer(config.api.host, config.api.port, log);
  let graph: Awaited<ReturnType<typeof openGraph>>;
  try {
    graph = await openGraph(config, log);
  } catch (err) {
    await api.close();
    throw err;
  }
  try {
    const migrations = await applyMigrations(graph.store);
    log.info(migrations, 'graph schema up to date');
    // The composition root: the stores, the inbound router, then the features that register with it.
    const alertStore = new AlertStore(graph.store);
    const stores: MembershipStores = { hosts: new HostStore(graph.store), rings: new RingStore(graph.store), alerts: alertStore, alertService: new AlertService(alertStore) };
    let peers: MembershipService['peers'] | undefined;
    const counters = new Map<string, number>();
    const count = (what: string): void => void counters.set(what, (counters.get(what) ?? 0) + 1);
    const router = new InboundRouter(
      { lookup: (keyid) => peers?.get(keyid) },
      {
        count,
        failed: (type, sender, err) => {
          if (err instanceof MembershipStoppedError) return; // shutting down: the sender retransmits it to the next CMA
          count(`failed_${type}`);
          log.warn({ host: sender.hostname, type, err: (err as Error).message }, 'message not stored; the sender will retransmit');
        },
      },
    );
    const membership = await MembershipService.start(config.membership, stores, router, log, { counters });
    peers = membership.peers;
    const schedule = new DiscoverySchedule(config.discovery.requests);
    const ingest = new DiscoveryIngestService({ store: graph.store, schedule, log });
    const load = new AgentLoadBook(stores.hosts);
    membership.useAgentLoad(load);
    load.register(router);
    linkDiscovery({ membership, router, ingest, schedule, store: graph.store, concurrency: config.discovery.concurrency, requestOnJoin: config.discovery.enabled, log });
    const pollers = await linkPollers({ membership, router, store: graph.store, config: config.pollers, log });
    const routers: Router[] = [
      healthRoute(graph.store, graph.uri, startedAt),
      hostsRoute(membership.hosts, {
        ringsOf: (keyid) => membership.membership.ringSet.ringsOf(keyid),
        partnersOf: (keyid) =>
          membership.membership.ringSet
            .partnersOf(keyid)
            .map((p) => ({ host: membership.peers.nameOf(p.host), address: `${p.address.ip}:${p.address.port}`, rings: p.rings })),
      }),
      metricsRoute({ membership, hosts: membership.hosts, alerts: membership.alerts, discovery: ingest, load }),
      alertsRoute(membership.alerts),
      ringsRoute(membership),
      discoveryRoute(graph.store),
      queriesRoute(graph.store),
      pollersRoute(pollers),
    ];
    api.mount(routers);
    log.info({ api: api.url, neo4j: graph.uri, membership: membership.address, multicast: membership.transport.multicast }, 'CMA ready');
    let stopped = false;
    return {
      apiUrl: api.url,
      neo4jUri: graph.uri,
      graph,
      api,
      membership,
      async stop() {
        if (stopped) return;
        stopped = true;
        await api.close();
        pollers.stop();
        await membership.stop();
        await graph.store.close();
        await graph.local?.stop();
        log.info('CMA stopped');
      },
    };
  } catch (err) {
    await api.close();
    await graph.store.close();
    await graph.local?.stop();
    throw err;
  }
}
