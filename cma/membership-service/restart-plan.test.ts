import type { AlertLabels } from '../alerts/alert';
import { planRestart, segmentRingOf, type FiringAlert, type RestoredPeer } from './restart-plan';

const peer = (name: string, status: RestoredPeer['status']): RestoredPeer => ({ keyid: `k-${name}`, name, status });
const alert = (labels: Omit<AlertLabels, 'severity'>, hosts: string[] = []): FiringAlert => ({
  labels: { severity: 'critical', ...labels } as AlertLabels,
  hosts,
});

describe('planRestart', () => {
  const peers = [peer('h1', 'down'), peer('h2', 'down'), peer('h3', 'down'), peer('h4', 'up'), peer('h5', 'left'), peer('h6', 'down'), peer('h7', 'down')];

  it('greets every host that did not leave, those held as down included', () => {
    const plan = planRestart(peers, [], () => false);
    expect(plan.greet).toEqual(['k-h1', 'k-h2', 'k-h3', 'k-h4', 'k-h6', 'k-h7']);
  });

  it('holds down hosts dead, grouped by the segment alert that names them; the rest on their own', () => {
    const firing = [
      alert({ alertname: 'SegmentDown', segment: '10.213.1.0/24' }, ['h1', 'h2', 'h3']),
      alert({ alertname: 'HostDown', host: 'h6' }),
      alert({ alertname: 'SwitchDown', switch: 'sw-2' }, ['h7']),
    ];
    const plan = planRestart(peers, firing, () => false);
    expect(plan.dead).toEqual([
      { segment: 'subnet:10.213.1.0/24', hosts: ['k-h1', 'k-h2', 'k-h3'] },
      { segment: 'switch:sw-2', hosts: ['k-h7'] },
      { segment: null, hosts: ['k-h6'] },
    ]);
  });

  it('leaves out hosts that are back (up in the graph, or on a restored ring) and names no host twice', () => {
    const firing = [
      alert({ alertname: 'SegmentDown', segment: '10.213.1.0/24' }, ['h1', 'h2', 'h4']),
      alert({ alertname: 'SegmentDown', segment: '10.213.9.0/24' }, ['h2', 'h3']),
    ];
    const plan = planRestart(peers, firing, (host) => host === 'k-h1');
    expect(plan.dead).toEqual([
      { segment: 'subnet:10.213.1.0/24', hosts: ['k-h2'] },
      { segment: 'subnet:10.213.9.0/24', hosts: ['k-h3'] },
      { segment: null, hosts: ['k-h6', 'k-h7'] },
    ]);
  });

  it('groups a segment of any size from the hosts the alert is about, none of them left out', () => {
    const many = Array.from({ length: 500 }, (_, i) => peer(`rack7-node-${String(i).padStart(3, '0')}`, 'down'));
    const firing = [alert({ alertname: 'SwitchDown', switch: 'rack7' }, many.map((p) => p.name).reverse())];
    const plan = planRestart(many, firing, () => false);
    expect(plan.dead).toEqual([{ segment: 'switch:rack7', hosts: many.map((p) => p.keyid).sort() }]);
  });
});

describe('segmentRingOf', () => {
  it('turns segment and switch alerts back into ring names, and nothing else', () => {
    expect(segmentRingOf({ alertname: 'SegmentDown', severity: 'critical', segment: '10.0.0.0/24' })).toBe('subnet:10.0.0.0/24');
    expect(segmentRingOf({ alertname: 'SwitchDown', severity: 'critical', switch: 'aa:bb' })).toBe('switch:aa:bb');
    expect(segmentRingOf({ alertname: 'HostDown', severity: 'critical', host: 'h1' })).toBeNull();
    expect(segmentRingOf({ alertname: 'SegmentDown', severity: 'critical', segment: 'bad key!' })).toBeNull();
    expect(segmentRingOf({ alertname: 'SegmentDown', severity: 'critical' })).toBeNull();
  });
});
