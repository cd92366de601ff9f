/**
 * ntc-templates' own test cases (the vendored subset in test/fixtures/ntc-templates): every raw
 * output, parsed with the template the index picks, must equal the `parsed_sample` of its yml exactly.
 * The whole upstream suite runs in the conformance bench (`npm run bench -- textfsm-conformance`).
 */
import path from 'node:path';
import { listCases, runCase } from '../../poller/textfsm/conformance';
import { TemplateLibrary } from '../../poller/textfsm';

const ROOT = path.join(__dirname, '..', 'fixtures', 'ntc-templates');

/**
 * Cases that cannot pass, by name, each with the reason (also in docs/textfsm.md). Empty: every
 * vendored case passes.
 */
const EXCLUDED: Readonly<Record<string, string>> = {};

const library = new TemplateLibrary(path.join(ROOT, 'templates'));
const cases = listCases(ROOT);

describe('vendored ntc-templates cases', () => {
  it('are all there: the four platforms and the commands the pollers need', () => {
    expect(cases.length).toBeGreaterThanOrEqual(250);
    const commands = new Set(cases.map((c) => `${c.platform}/${c.command}`));
    for (const platform of ['cisco_ios', 'cisco_nxos', 'arista_eos', 'juniper_junos']) {
      expect(commands.has(`${platform}/show version`)).toBe(true);
    }
    for (const needed of [
      'cisco_ios/show interfaces',
      'cisco_nxos/show interface',
      'arista_eos/show interfaces',
      'juniper_junos/show interfaces',
      'cisco_ios/show ip interface brief',
      'cisco_nxos/show ip interface brief',
      'arista_eos/show ip interface brief',
      'cisco_ios/show lldp neighbors detail',
      'cisco_nxos/show lldp neighbors detail',
      'arista_eos/show lldp neighbors detail',
      'juniper_junos/show lldp neighbors',
      'cisco_ios/show cdp neighbors detail',
      'cisco_nxos/show cdp neighbors detail',
      'cisco_ios/show inventory',
      'cisco_nxos/show inventory',
      'arista_eos/show inventory',
    ]) {
      expect(commands.has(needed)).toBe(true);
    }
    for (const name of Object.keys(EXCLUDED)) expect(cases.some((c) => c.name === name)).toBe(true);
  });

  it.each(cases.filter((c) => !(c.name in EXCLUDED)).map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const result = runCase(library, c);
    if (!result.passed) {
      // The full records make a failure readable without re-running by hand.
      expect({ failure: result.failure, actual: result.actual }).toEqual({ failure: undefined, actual: result.expected });
    }
    expect(result.passed).toBe(true);
  });
});
