/**
 * Lab smoke test: nothing outlives a lab. After destroy() (called because a test body threw, by the
 * suite's afterAll, or by the exit hook of an owner that exits) and after the sweep that follows an
 * owner's SIGKILL, no namespace, veth, process, /etc/netns entry or lab directory is left, while labs
 * whose owner still runs are left alone.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { mustRun } from './command';
import { NETNS_ETC } from './etc-files';
import { pidIsGone, startHarnessChild } from './harness-child';
import { Lab, withLab } from './lab';
import { describeAsRoot } from './lab-jest';
import { NAMESPACE_PATTERN, labDir } from './names';
import { listNamespaces, namespacePids } from './netns';
import { destroyAllLabs } from './registry';
import { findLabProcesses, sweepStaleLabs } from './sweep';
import type { LabTopology } from './topology';
import { waitFor } from './wait';

const topology: LabTopology = {
  switches: [{ name: 'sw1' }],
  segments: [{ name: 'lan', subnet: '10.213.1.0/24' }],
  hosts: [
    { name: 'h1', lldp: true, nics: [{ switch: 'sw1', segment: 'lan' }] },
    { name: 'h2', nics: [{ switch: 'sw1', segment: 'lan' }] },
  ],
};

async function namespacesOf(labId: string): Promise<string[]> {
  return (await listNamespaces()).filter((ns) => NAMESPACE_PATTERN.exec(ns)?.[1] === labId);
}

/** veth interfaces of the machine's own namespace. */
async function rootVeths(): Promise<string[]> {
  const links = JSON.parse(await mustRun('ip', ['-j', '-d', 'link', 'show', 'type', 'veth'])) as { ifname: string }[];
  return links.map((l) => l.ifname).sort();
}

/** Everything a lab could leave behind, empty when it left nothing. */
async function leftovers(labId: string, pids: number[]): Promise<Record<string, unknown>> {
  return {
    namespaces: await namespacesOf(labId),
    etc: ['h1', 'h2', 'sw1'].filter((n) => existsSync(path.join(NETNS_ETC, `um-${labId}-${n}`))),
    dir: existsSync(labDir(labId)),
    processes: pids.filter((pid) => !pidIsGone(pid)),
  };
}
const NOTHING = { namespaces: [], etc: [], dir: false, processes: [] };

/** Pids of every process in the lab's namespaces (lldpd's privilege-separated halves included). */
async function labPids(lab: Lab): Promise<number[]> {
  const all = await Promise.all([...lab.switches, ...lab.hosts].map((n) => namespacePids(n.ns)));
  return all.flat();
}

describeAsRoot('lab: teardown leaves nothing behind', () => {
  it('cleans up after a test body that throws, stubborn and escaped processes included', async () => {
    const vethsBefore = await rootVeths();
    let labId = '';
    const pids: number[] = [];
    await expect(
      withLab(topology, async (lab) => {
        labId = lab.id;
        const h2 = lab.host('h2');
        // One that ignores SIGTERM, one that left its process group, one in the machine's namespace.
        const stubborn = h2.node("process.on('SIGTERM', () => console.log('ignored')); console.log('up'); setInterval(() => {}, 1000);");
        await stubborn.waitForOutput('up');
        const escaper = h2.spawn('sh', ['-c', 'setsid sleep 600 < /dev/null > /dev/null 2>&1 & echo $!']);
        await escaper.exited;
        const apiPort = await lab.exposeLoopbackPort('h1', 8080);
        expect(apiPort).toBeGreaterThan(0);
        const relays = await rootRelayPids(lab.id);
        expect(relays).toHaveLength(1);
        pids.push(...(await labPids(lab)), Number(escaper.stdout().trim()), ...relays);
        expect(await namespacesOf(lab.id)).toHaveLength(3);
        throw new Error('the test body failed');
      }),
    ).rejects.toThrow('the test body failed');
    expect(pids.length).toBeGreaterThanOrEqual(6);
    expect(await leftovers(labId, pids)).toEqual(NOTHING);
    expect((await rootVeths()).filter((v) => !vethsBefore.includes(v))).toEqual([]);
  });

  it("destroys labs a test forgot, from the suite's afterAll", async () => {
    const lab = await Lab.create(topology);
    const pids = await labPids(lab);
    expect(pids.length).toBeGreaterThanOrEqual(4); // two lldpds, each a monitor and a worker
    await destroyAllLabs();
    expect(await leftovers(lab.id, pids)).toEqual(NOTHING);
  });

  it.each(['exit', 'SIGTERM'] as const)('tears down from the exit hook when the owner ends by %s without destroying', async (how) => {
    const child = startHarnessChild(`
      const lab = await Lab.create(${JSON.stringify(topology)});
      const sleeper = lab.host('h2').spawn('sleep', ['600']);
      console.log(JSON.stringify({ id: lab.id, pid: sleeper.pid }));
      ${how === 'exit' ? 'setTimeout(() => process.exit(0), 200);' : 'setInterval(() => {}, 1000);'}
    `);
    const { id, pid } = (await child.firstJson) as { id: string; pid: number };
    if (how === 'SIGTERM') child.child.kill('SIGTERM');
    expect(await child.exited).toBe(how === 'exit' ? 0 : null);
    await waitFor('the exit hook to finish', async () => ((await namespacesOf(id)).length === 0 ? true : undefined), {
      timeoutMs: 10_000,
    });
    expect(await leftovers(id, [pid])).toEqual(NOTHING);
  });

  it("sweeps a SIGKILLed owner's lab, and never a lab whose owner runs", async () => {
    const child = startHarnessChild(`
      const lab = await Lab.create(${JSON.stringify(topology)});
      const sleeper = lab.host('h2').spawn('sleep', ['600']);
      console.log(JSON.stringify({ id: lab.id, pid: sleeper.pid }));
      setInterval(() => {}, 1000);
    `);
    const { id, pid } = (await child.firstJson) as { id: string; pid: number };
    const mine = await Lab.create(topology, { sweep: false });
    try {
      const untouched = await sweepStaleLabs();
      expect(untouched.labs).not.toContain(id);
      expect(untouched.labs).not.toContain(mine.id);
      expect(await namespacesOf(id)).toHaveLength(3);

      child.child.kill('SIGKILL');
      await child.exited;
      // A SIGKILLed owner runs no hook: its lab is still there, processes included.
      expect(await namespacesOf(id)).toHaveLength(3);
      expect(pidIsGone(pid)).toBe(false);
      const owner = JSON.parse(readFileSync(path.join(labDir(id), 'owner.json'), 'utf8')) as { pid: number };
      expect(owner.pid).toBe(child.child.pid);

      const swept = await sweepStaleLabs();
      expect(swept.labs).toContain(id);
      expect(swept.labs).not.toContain(mine.id);
      // Leftovers of other crashed runs on this machine are swept too; this lab's must all be among them.
      expect(swept.namespaces.filter((ns) => ns.startsWith(`um-${id}-`)).sort()).toEqual([`um-${id}-h1`, `um-${id}-h2`, `um-${id}-sw1`]);
      expect(swept.namespaces.some((ns) => ns.startsWith(`um-${mine.id}-`))).toBe(false);
      expect(await leftovers(id, [pid])).toEqual(NOTHING);
      expect(await namespacesOf(mine.id)).toHaveLength(3);
    } finally {
      child.child.kill('SIGKILL');
      await mine.destroy();
    }
  });
});

/** Relays the harness runs in the machine's own namespace for lab `labId`. */
async function rootRelayPids(labId: string): Promise<number[]> {
  const inLab = new Set<number>();
  for (const ns of await namespacesOf(labId)) for (const pid of await namespacePids(ns)) inLab.add(pid);
  return findLabProcesses(labId).filter((pid) => !inLab.has(pid));
}
