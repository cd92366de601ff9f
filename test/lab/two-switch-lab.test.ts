/** Unit test of the segment-down tests' lab (pure planning: no root, no namespaces). */
import { planLab } from './topology';
import { twoSwitchLab } from './two-switch-lab';

describe('twoSwitchLab', () => {
  test('N hosts per access switch, each in its switch segment; the CMA alone on core; both switches trunked to core', () => {
    const lab = twoSwitchLab(3);
    expect([lab.sw1Hosts, lab.sw2Hosts]).toEqual([
      ['h1', 'h2', 'h3'],
      ['h4', 'h5', 'h6'],
    ]);
    const plan = planLab(lab.topology);
    const placement = plan.hosts.map((h) => `${h.name}@${h.nics[0]?.switch}:${h.nics[0]?.addresses.join(',')}`);
    expect(placement).toEqual([
      'h1@sw1:10.213.1.11/24',
      'h2@sw1:10.213.1.12/24',
      'h3@sw1:10.213.1.13/24',
      'h4@sw2:10.213.2.11/24',
      'h5@sw2:10.213.2.12/24',
      'h6@sw2:10.213.2.13/24',
      'cma@core:10.213.0.11/24',
    ]);
    expect(plan.trunks.map((t) => `${t.a}-${t.b}`)).toEqual(['sw1-core', 'sw2-core']);
    expect(plan.switches.every((s) => !s.lldp)).toBe(true);
  });

  test('refuses a switch without hosts', () => {
    expect(() => twoSwitchLab(0)).toThrow(RangeError);
  });
});
