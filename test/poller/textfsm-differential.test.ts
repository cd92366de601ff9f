/**
 * The engine against Python's own `re` and TextFSM on thousands of seeded random regexes and
 * templates (poller/textfsm/testing/differential.ts). Runs only where a Python with the `textfsm`
 * package is installed (e.g. Debian's python3-textfsm); elsewhere, as in CI, it is skipped — the
 * fixed cases it found are in the other textfsm tests.
 */
import { compareRegexes, compareTemplates, findPython } from '../../poller/textfsm/testing/differential';

const python = findPython();
const maybe = python === undefined ? describe.skip : describe;

maybe('differential against Python textfsm', () => {
  it.each([
    [101, false],
    [102, true],
  ] as const)('random regexes (seed %d, rarer constructs: %s) match as re.match does', (seed, extra) => {
    const result = compareRegexes(python!, seed, 1500, extra);
    expect(result.disagreements.slice(0, 5)).toEqual([]);
  });

  it.each([
    [201, false],
    [202, true],
  ] as const)('random templates (seed %d, mutated: %s) give the same records or the same error', (seed, mutate) => {
    const result = compareTemplates(python!, seed, 1500, mutate);
    expect(result.disagreements.slice(0, 5)).toEqual([]);
  });
});
