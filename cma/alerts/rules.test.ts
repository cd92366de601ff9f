import { fingerprintOf } from './alert';
import { AlertService } from './alert-service';
import { ALERT_RULES, alertLabels, segmentAlert } from './rules';

describe('alert rules and the alert service', () => {
  it('raising and clearing a kind about a subject use one label set, so the clear finds the alert raised', async () => {
    const fired: string[] = [];
    const resolved: string[] = [];
    const service = new AlertService({
      fire: async (input) => {
        fired.push(fingerprintOf(input.labels));
        return {} as never;
      },
      resolve: async (labels) => {
        resolved.push(fingerprintOf(labels));
        return null;
      },
      resolveMany: async (sets) => {
        for (const l of sets) resolved.push(fingerprintOf(l));
        return sets.length;
      },
    });
    for (const kind of Object.keys(ALERT_RULES) as Array<keyof typeof ALERT_RULES>) {
      fired.length = 0;
      resolved.length = 0;
      await service.raise(kind, 'db1', { annotations: {}, hosts: ['db1'], at: 1 });
      await service.clear(kind, 'db1', 2, 'back');
      await service.clearMany(kind, ['db1'], 3, 'back');
      expect(resolved).toEqual([fired[0], fired[0]]);
    }
    expect(alertLabels('HostDown', 'db1')).toEqual({ alertname: 'HostDown', severity: 'critical', host: 'db1' });
    expect(await service.clearMany('HostDown', [], 1, 'none')).toBe(0);
  });

  it('a segment going down is a SwitchDown for a switch ring and a SegmentDown for a subnet ring', () => {
    expect(segmentAlert('switch:sw1')).toEqual({ kind: 'SwitchDown', subject: 'sw1' });
    expect(segmentAlert('subnet:10.0.0.0/24')).toEqual({ kind: 'SegmentDown', subject: '10.0.0.0/24' });
  });
});
