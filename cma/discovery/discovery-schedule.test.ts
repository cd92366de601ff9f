import { discoveryRequestSchema } from '../../protocol/messages/discovery';
import { DiscoverySchedule, initialDiscoveryRequests } from './discovery-schedule';

describe('discovery schedule', () => {
  test('a joining host is asked for every built-in discovery, each a valid DISCOVERY_REQUEST', () => {
    const requests = initialDiscoveryRequests();
    expect(requests.map((r) => r.name)).toEqual(['os', 'cpu', 'memory', 'netconfig', 'tcp', 'processes', 'packages', 'filesystems', 'lldp', 'arp', 'sshd', 'systemd']);
    for (const r of requests) {
      expect(discoveryRequestSchema.parse(r)).toEqual(r);
      expect(r.repeatSeconds).toBeGreaterThanOrEqual(60);
      expect(r.timeoutSeconds).toBeLessThan(r.repeatSeconds);
    }
    // Fast-changing facts are looked at more often than slow ones.
    const every = (name: string) => requests.find((r) => r.name === name)?.repeatSeconds ?? 0;
    expect(every('tcp')).toBeLessThan(every('packages'));
  });

  test('the operator changes, switches off and adds requests', () => {
    const schedule = new DiscoverySchedule({
      packages: { repeatSeconds: 21_600 },
      sshd: false,
      raid: { repeatSeconds: 3600, timeoutSeconds: 20, parameters: { CONTROLLER: '0' } },
    });
    const requests = schedule.initialRequests();
    expect(requests.find((r) => r.name === 'packages')).toEqual({ name: 'packages', repeatSeconds: 21_600, timeoutSeconds: 300, parameters: {} });
    expect(requests.some((r) => r.name === 'sshd')).toBe(false);
    expect(requests.at(-1)).toEqual({ name: 'raid', repeatSeconds: 3600, timeoutSeconds: 20, parameters: { CONTROLLER: '0' } });
    expect(schedule.requestFor('sshd')).toBeNull();
    expect(schedule.requestFor('lldp')).toEqual({ name: 'lldp', repeatSeconds: 300, timeoutSeconds: 30, parameters: {} });
    // A follow-up of a script outside the schedule runs once.
    expect(schedule.requestFor('site-audit')).toEqual({ name: 'site-audit', repeatSeconds: 0, timeoutSeconds: 60, parameters: {} });
    // Handing out copies: a caller changing one changes nothing here.
    requests[0]!.parameters.X = '1';
    expect(schedule.initialRequests()[0]?.parameters).toEqual({});
  });

  test('a bad configured request is refused, naming the script and the field', () => {
    expect(() => new DiscoverySchedule({ raid: { repeatSeconds: 60 } })).toThrow(/discovery request "raid": timeoutSeconds/);
    expect(() => new DiscoverySchedule({ os: { timeoutSeconds: 7200 } })).toThrow(/"os": timeoutSeconds/);
    expect(() => new DiscoverySchedule({ 'bad name': false })).toThrow(/a discovery name is 1-64 of/);
  });
});
