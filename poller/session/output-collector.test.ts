import { applyBackspaces, OutputCollector, screenText } from './output-collector';
import { cleanOutput, rejectionOf } from './output-clean';
import { platformCli } from './platforms';
import { PromptMatcher } from './prompt';

const ios = platformCli('cisco_ios');
const junos = platformCli('juniper_junos');
const prompt = new PromptMatcher('r1>', ios);

function collector(command = 'show clock', maxBytes = 10_000): OutputCollector {
  return new OutputCollector({ command, prompt, maxBytes });
}

describe('OutputCollector', () => {
  it('collects from the echo to the prompt', () => {
    const c = collector();
    expect(c.push('show cl', 7)).toBe('more');
    expect(c.push('ock\r\n08:00:00 UTC\r\n', 18)).toBe('more');
    expect(c.push('r1>', 3)).toBe('done');
    expect(c.body()).toBe('08:00:00 UTC\r\n');
  });

  it('ignores a stray prompt before the echo (an extra Enter answered late)', () => {
    const c = collector();
    // Without the echo rule, the leading `\r\nr1>` would end this command with an empty output.
    expect(c.push('\r\nr1>', 5)).toBe('more');
    expect(c.sawEcho).toBe(false);
    expect(c.push('show clock\r\n08:00:00 UTC\r\nr1>', 30)).toBe('done');
    expect(c.body()).toBe('08:00:00 UTC\r\n');
  });

  it('an empty output is just the prompt after the echo', () => {
    const c = collector('terminal length 0');
    expect(c.push('terminal length 0\r\nr1>', 22)).toBe('done');
    expect(c.body()).toBe('');
  });

  it('does not take a prompt-like text inside a line for the prompt', () => {
    const c = collector();
    expect(c.push('show clock\r\nhostname r1>', 20)).toBe('more');
    expect(c.push(' is set\r\nr1>', 10)).toBe('done');
  });

  it('reports each pager prompt', () => {
    const c = collector('show version');
    expect(c.push('show version\r\nline 1\r\n --More-- ', 30)).toBe('pager');
    expect(c.push('\b\b\b\b\b\b\b\b\b\b          \b\b\b\b\b\b\b\b\b\bline 2\r\nr1>', 40)).toBe('done');
    expect(c.pages).toBe(1);
  });

  it('stops at the byte cap, echo included', () => {
    const c = collector('show version', 20);
    expect(c.push('show version\r\n', 14)).toBe('more');
    expect(c.push('1234567', 7)).toBe('too_large');
    expect(c.push('r1>', 3)).toBe('too_large');
  });
});

describe('cleaning', () => {
  it('applies backspaces and compares echoes as they look on screen', () => {
    expect(applyBackspaces('shoq\bw')).toBe('show');
    expect(applyBackspaces('a\n\bb')).toBe('a\nb');
    expect(screenText('r1>show  version\r')).toBe('r1>show version');
  });

  it('removes IOS and Junos pager prompts with their erasers, LF line ends', () => {
    const iosBody = 'one\r\n --More-- \b\b\b\b\b\b\b\b\b\b          \b\b\b\b\b\b\b\b\b\btwo\r\n';
    expect(cleanOutput(iosBody, ios, true)).toBe('one\ntwo\n');
    const junosBody = 'one\r\n---(more 50%)---\r                \rtwo\r\n\r\n';
    expect(cleanOutput(junosBody, junos, true)).toBe('one\ntwo\n');
  });

  it('leaves the word --More-- alone when no pager was met', () => {
    expect(cleanOutput('see --More-- here\r\n', ios, false)).toBe('see --More-- here\n');
  });

  it('drops the blank line Junos prints before its prompt, and only that', () => {
    expect(cleanOutput('a\r\n\r\n', junos, false)).toBe('a\n');
    expect(cleanOutput('\r\n', junos, false)).toBe('');
    expect(cleanOutput('a\r\n\r\n', ios, false)).toBe('a\n\n');
  });

  it('recognises device refusals near the top only', () => {
    expect(rejectionOf("        ^\n% Invalid input detected at '^' marker.\n\n", ios)).toBe("% Invalid input detected at '^' marker.");
    expect(rejectionOf('% Invalid input\n', platformCli('arista_eos'))).toBe('% Invalid input');
    expect(rejectionOf('      ^\nsyntax error, expecting <command>.\n', junos)).toBe('syntax error, expecting <command>.');
    expect(rejectionOf('a\nb\nc\nd\n% Invalid input detected\n', ios)).toBeUndefined();
    expect(rejectionOf('%LINK-3-UPDOWN: Interface Gi0/1, changed state to up\n', ios)).toBeUndefined();
  });
});
