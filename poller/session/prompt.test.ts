import { platformCli } from './platforms';
import { isPagerLine, lastLine, looksLikePrompt, PromptLearner, PromptMatcher } from './prompt';

const ios = platformCli('cisco_ios');
const nxos = platformCli('cisco_nxos');
const junos = platformCli('juniper_junos');

describe('prompt shapes', () => {
  it('accepts each platform prompt and refuses banner lines', () => {
    for (const p of ['core-01>', 'core-01#', 'core-01(config-if)#']) expect(looksLikePrompt(p, ios)).toBe(true);
    expect(looksLikePrompt('nx-01# ', nxos)).toBe(true);
    expect(looksLikePrompt('admin@mx-01> ', junos)).toBe(true);
    for (const line of ['', '* Unauthorized access to this device is prohibited. All access is logged *', 'Last login: Mon Jan 15 08:00:00 2024 from 10.0.0.1', 'a b#', 'x'.repeat(200) + '#']) {
      expect(looksLikePrompt(line, ios)).toBe(false);
    }
    expect(looksLikePrompt('mx-01> ', junos)).toBe(false);
  });

  it('takes the line the cursor is on', () => {
    expect(lastLine('banner\r\nr1>')).toBe('r1>');
    expect(lastLine('line\r\n')).toBe('');
    expect(lastLine('r1#')).toBe('r1#');
  });
});

describe('PromptMatcher', () => {
  it('matches the same device in other modes, never another device', () => {
    const m = new PromptMatcher('core-01>', ios);
    expect(m.base).toBe('core-01');
    for (const p of ['core-01>', 'core-01#', 'core-01(config)#', 'core-01(config-if)#']) expect(m.matches(p)).toBe(true);
    for (const p of ['core-02#', 'xcore-01#', 'core-01', 'core-01#show version']) expect(m.matches(p)).toBe(false);
    const j = new PromptMatcher('admin@mx-01> ', junos);
    expect(j.matches('admin@mx-01# ')).toBe(true);
    expect(j.matches('admin@mx-02> ')).toBe(false);
  });

  it('escapes regex characters of the hostname', () => {
    const m = new PromptMatcher('r1.lab+a>', ios);
    expect(m.matches('r1.lab+a#')).toBe(true);
    expect(m.matches('r1xlab+a#')).toBe(false);
  });

  it('refuses a text that is no prompt', () => {
    expect(() => new PromptMatcher('not a prompt', ios)).toThrow(RangeError);
  });
});

describe('pager lines', () => {
  it('knows the IOS and Junos pagers', () => {
    for (const l of [' --More-- ', '--More--', '---(more 45%)---', '---(more)---', '<--- More --->']) expect(isPagerLine(l)).toBe(true);
    for (const l of ['More', 'r1#', 'Interface --More-- text is here']) expect(isPagerLine(l)).toBe(false);
  });
});

describe('PromptLearner', () => {
  it('learns when the same prompt line comes twice, asking for Enter in between', () => {
    const l = new PromptLearner(ios);
    expect(l.push('\r\n***\r\n* banner *\r\n')).toEqual({ kind: 'wait' });
    expect(l.push('r1>')).toEqual({ kind: 'send-newline' });
    expect(l.push('\r\nr1>')).toEqual({ kind: 'learned', prompt: 'r1>' });
    expect(l.newlinesSent).toBe(2);
  });

  it('is not fooled by a banner line split so that it looks like a prompt', () => {
    const l = new PromptLearner(ios);
    // `fake#` is the start of a banner line cut by a packet boundary.
    expect(l.push('banner\r\nfake#')).toEqual({ kind: 'send-newline' });
    expect(l.push(' rest of banner\r\nr1>')).toEqual({ kind: 'send-newline' });
    expect(l.push('\r\nr1>')).toEqual({ kind: 'learned', prompt: 'r1>' });
  });

  it('gives up when prompts keep changing', () => {
    const l = new PromptLearner(ios, 3);
    expect(l.push('\r\na>').kind).toBe('send-newline');
    expect(l.push('\r\nb>').kind).toBe('send-newline');
    expect(l.push('\r\nc>').kind).toBe('failed');
  });

  it('keeps the trailing space of NX-OS and Junos prompts', () => {
    const l = new PromptLearner(junos);
    l.push('--- JUNOS 13.3R1.4 built\r\nadmin@mx-01> ');
    expect(l.push('\r\nadmin@mx-01> ')).toEqual({ kind: 'learned', prompt: 'admin@mx-01> ' });
  });
});
