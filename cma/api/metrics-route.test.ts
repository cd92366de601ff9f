import express from 'express';
import type { AddressInfo } from 'node:net';
import { metricsRoute, type MetricsSources } from './metrics-route';

/** The route's own logic, with stand-ins for the stores (the real ones are covered by the loopback fleet test). */
async function scrape(sources: MetricsSources): Promise<string> {
  const app = express();
  app.use('/api', metricsRoute(sources));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  try {
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/metrics`);
    expect(response.status).toBe(200);
    return await response.text();
  } finally {
    await new Promise((r) => server.close(r));
  }
}

const membership = {
  counts: () => ({ received_ANNOUNCE: 5, transport_retransmitted: 2 }),
  membership: { stats: () => ({ live: 4, dead: 1, suspects: 0, segmentCases: 0 }) },
} as unknown as MetricsSources['membership'];
const load = { slowAgents: () => [{ host: 'db1', load: { windowMs: 60_000, slow: true, eventLoopDelayP99Ms: 420, eventLoopDelayMaxMs: 900, heartbeatLatenessP99Ms: 600 }, at: 0 }] };
const discovery = { counters: { derived: 3, raw_only: 0, unavailable: 0, unchanged: 7, error: 1, rejected: 0, rows: 99, followUps: 0, followUpFailures: 0, rowDiffs: 2 } };

describe('GET /api/metrics', () => {
  test('with the graph down it still answers the in-memory figures, and says the graph is down', async () => {
    const down = () => Promise.reject(new Error('ServiceUnavailable'));
    const text = await scrape({ membership, discovery, load, hosts: { countByStatus: down } as never, alerts: { countFiring: down } as never });
    expect(text).toMatch(/^unimatrix_graph_up 0$/m);
    expect(text).toMatch(/^unimatrix_membership_events_total\{event="received_ANNOUNCE"\} 5$/m);
    expect(text).toMatch(/^unimatrix_transport_total\{counter="retransmitted"\} 2$/m);
    expect(text).toMatch(/^unimatrix_discovery_results_total\{outcome="unchanged"\} 7$/m);
    expect(text).toMatch(/^unimatrix_discovery_results_total\{outcome="rowDiffs"\} 2$/m);
    expect(text).toMatch(/^unimatrix_ring_hosts\{state="dead"\} 1$/m);
    expect(text).not.toMatch(/^unimatrix_hosts/m);
    expect(text).toMatch(/^unimatrix_agent_event_loop_delay_p99_ms\{host="db1"\} 420$/m);
  });

  test('with the graph up: hosts by status and firing alerts by name', async () => {
    const text = await scrape({
      membership,
      discovery,
      load,
      hosts: { countByStatus: async () => ({ up: 4, down: 1, left: 2 }) } as never,
      alerts: { countFiring: async () => ({ SwitchDown: 1, HostDown: 2 }) } as never,
    });
    expect(text).toMatch(/^unimatrix_graph_up 1$/m);
    expect(text).toMatch(/^unimatrix_hosts\{status="left"\} 2$/m);
    expect(text).toMatch(/^unimatrix_alerts_firing\{alertname="HostDown"\} 2$/m);
    expect(text).toMatch(/^unimatrix_alerts_firing\{alertname="SwitchDown"\} 1$/m);
  });
});
