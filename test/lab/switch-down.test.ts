/**
 * Lab smoke test: a dead switch cuts off exactly its own hosts. Topology (one layer 2, one subnet per
 * segment, every namespace routes the whole lab on-link):
 *
 *            cma (10.213.0.11, segment "core")
 *             |
 *           core ---------------- (trunks) --------------- +
 *             |                                            |
 *            sw1: h1, h2 (segment a, 10.213.1.0/24)       sw2: h3, h4 (segment b, 10.213.2.0/24)
 *
 * Killing sw1 must cut h1 and h2 off from the CMA (and from each other) while h3 and h4 still reach it
 * by unicast and by multicast; restoring sw1 brings everything back.
 */
import type { LabHost } from './lab-nodes';
import { describeAsRoot, useLab } from './lab-jest';
import { linkState } from './switch-failure';
import { twoSwitchLab } from './two-switch-lab';
import { UDP_ASKER, UDP_RESPONDER, parseAskerOutput } from './udp-scripts';

const GROUP = '224.0.2.5';
const PORT = '1984';

/** The lab drawn above (two-switch-lab.ts). */
const { topology } = twoSwitchLab(2);

/** Whether `from` gets an answer from the responder at `to` within `limitMs` (retrying meanwhile). */
async function answers(from: LabHost, to: string, limitMs: number): Promise<boolean> {
  const asker = from.node(UDP_ASKER, [to, PORT, `probe from ${from.name}`, String(limitMs)]);
  const status = await asker.exited;
  if (status.code !== 0 && status.code !== 2) throw asker.failure(`ended unexpectedly (code ${String(status.code)})`);
  return parseAskerOutput(asker.stdout()).reply === `ack:probe from ${from.name}`;
}

/** Which hosts reach the CMA, asked in parallel; unreachable ones cost the full limit. */
async function reachingCma(hosts: LabHost[], to: string, limitMs: number): Promise<string[]> {
  const results = await Promise.all(hosts.map(async (h) => ((await answers(h, to, limitMs)) ? [h.name] : [])));
  return results.flat().sort();
}

describeAsRoot('lab: a dead switch cuts off its own hosts only', () => {
  const lab = useLab(topology);
  // Long enough for a live path on a loaded machine (answers come in milliseconds); a dead path waits it out.
  const LIMIT_MS = 4_000;

  beforeAll(async () => {
    const responder = lab().cma.node(UDP_RESPONDER, [PORT, GROUP]);
    await responder.waitForOutput('ready cma');
    for (const h of lab().hosts) await h.node(UDP_RESPONDER, [PORT]).waitForOutput(`ready ${h.name}`);
  }, 30_000);

  it('lets every host reach the CMA across the trunks while all switches are up', async () => {
    expect(await reachingCma(lab().hosts, lab().cma.address(), LIMIT_MS)).toEqual(['h1', 'h2', 'h3', 'h4']);
  });

  it('cuts off the hosts of a powered-off switch, and only those, until it comes back', async () => {
    const [h1, h2, h3] = [lab().host('h1'), lab().host('h2'), lab().host('h3')];
    await lab().switch('sw1').fail('power');
    try {
      expect(await linkState(h1.ns, 'eth0')).toMatchObject({ carrier: false });
      expect(await linkState(h3.ns, 'eth0')).toMatchObject({ carrier: true });
      // Asked together: each unreachable path costs the full limit.
      const [unicast, multicast, switchMates] = await Promise.all([
        reachingCma(lab().hosts, lab().cma.address(), LIMIT_MS),
        reachingCma(lab().hosts, GROUP, LIMIT_MS),
        answers(h1, h2.address(), LIMIT_MS),
      ]);
      expect({ unicast, multicast, switchMates }).toEqual({ unicast: ['h3', 'h4'], multicast: ['h3', 'h4'], switchMates: false });
    } finally {
      await lab().switch('sw1').restore();
    }
    expect(await linkState(h1.ns, 'eth0')).toMatchObject({ carrier: true });
    expect(await reachingCma(lab().hosts, lab().cma.address(), LIMIT_MS)).toEqual(['h1', 'h2', 'h3', 'h4']);
  });

  it('cuts off the hosts of a hung switch even though their links stay up', async () => {
    await lab().switch('sw2').fail('hang');
    try {
      expect(await linkState(lab().host('h3').ns, 'eth0')).toMatchObject({ carrier: true });
      expect(await reachingCma(lab().hosts, lab().cma.address(), LIMIT_MS)).toEqual(['h1', 'h2']);
    } finally {
      await lab().switch('sw2').restore();
    }
    expect(await reachingCma(lab().hosts, lab().cma.address(), LIMIT_MS)).toEqual(['h1', 'h2', 'h3', 'h4']);
  });
});
