import { Router } from 'express';
import type { AlertStore } from '../alerts/alert-store';
import type { IngestCounters } from '../discovery/ingest-service';
import type { AgentLoadBook } from '../fleet/agent-load';
import type { HostStore } from '../fleet/host-store';
import type { MembershipService } from '../membership-service/membership-service';
import { counterFamily, formatMetrics, type MetricFamily } from '../metrics/prometheus-text';

export type MetricsSources = {
  membership: MembershipService;
  hosts: HostStore;
  alerts: AlertStore;
  discovery: { counters: IngestCounters };
  /** Agents that said they are slow (AGENT_LOAD). */
  load: Pick<AgentLoadBook, 'slowAgents'>;
};

/** The transport's counters come prefixed in MembershipService.counts(); they get their own family. */
const TRANSPORT_PREFIX = 'transport_';

/**
 * GET /api/metrics: the CMA's counters and fleet state for Prometheus to scrape. The counters are in
 * memory and always answer; hosts by status and firing alerts come from the graph, and when the graph
 * does not answer they are left out and `unimatrix_graph_up` says 0 (a scrape must not fail because
 * Neo4j is down: that is exactly when the other figures are wanted).
 */
export function metricsRoute(sources: MetricsSources): Router {
  const router = Router();
  router.get('/metrics', async (_req, res) => {
    const counts = sources.membership.counts();
    const membershipEvents: Record<string, number> = {};
    const transport: Record<string, number> = {};
    for (const [key, value] of Object.entries(counts)) {
      if (key.startsWith(TRANSPORT_PREFIX)) transport[key.slice(TRANSPORT_PREFIX.length)] = value;
      else membershipEvents[key] = value;
    }
    const stats = sources.membership.membership.stats();
    const families: MetricFamily[] = [
      counterFamily('unimatrix_membership_events_total', 'Membership events of the CMA since it started (messages received, decisions, announcements).', 'event', membershipEvents),
      counterFamily('unimatrix_transport_total', 'Reliable-UDP transport counters of the CMA since it started (datagrams, retransmissions, drops by reason).', 'counter', transport),
      counterFamily('unimatrix_discovery_results_total', 'Discovery results ingested since the CMA started, by outcome (rows and follow-ups are counts of those).', 'outcome', { ...sources.discovery.counters }),
      {
        name: 'unimatrix_ring_hosts',
        help: 'Hosts the membership state machine holds, by state (live hosts are on their rings).',
        type: 'gauge',
        samples: [
          { labels: { state: 'live' }, value: stats.live },
          { labels: { state: 'dead' }, value: stats.dead },
          { labels: { state: 'suspect' }, value: stats.suspects },
        ],
      },
      {
        name: 'unimatrix_agent_event_loop_delay_p99_ms',
        help: 'Agents that said their last minute was slow: the p99 delay of their event loop (a slow agent heartbeats late).',
        type: 'gauge',
        samples: sources.load.slowAgents().map((a) => ({ labels: { host: a.host }, value: a.load.eventLoopDelayP99Ms })),
      },
    ];
    let graphUp = 1;
    try {
      const [byStatus, firing] = await Promise.all([sources.hosts.countByStatus(), sources.alerts.countFiring()]);
      families.push({
        name: 'unimatrix_hosts',
        help: 'Hosts in the graph by status.',
        type: 'gauge',
        samples: Object.entries(byStatus).map(([status, value]) => ({ labels: { status }, value })),
      });
      families.push({
        name: 'unimatrix_alerts_firing',
        help: 'Alerts firing now, by alertname.',
        type: 'gauge',
        samples: Object.entries(firing)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([alertname, value]) => ({ labels: { alertname }, value })),
      });
    } catch {
      graphUp = 0;
    }
    families.push({ name: 'unimatrix_graph_up', help: 'Whether the graph answered this scrape (1) or not (0).', type: 'gauge', samples: [{ value: graphUp }] });
    res.type('text/plain; version=0.0.4; charset=utf-8').send(formatMetrics(families));
  });
  return router;
}
