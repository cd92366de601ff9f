/**
 * What one command line does on a device: the mode it runs in, the output it prints, the mode it
 * leaves behind. No I/O here: the session (cli-session.ts) echoes, pages, injects faults and prints
 * the prompt; this decides the text and moves the CLI state.
 */
import type { MatchResult } from './command-tree';
import type { CliMode, CommandAction, ErrorContext } from './device-profile';
import type { EmulatedDevice } from './emulated-device';
import { applyFilters, isFilterError, splitPipes, type Filter } from './output-filter';

export interface CliState {
  mode: CliMode;
  configPath: string[];
  /** Lines per screen; 0: paging off. */
  pageLength: number;
  completeOnSpace: boolean;
  username: string;
}

export interface Response {
  /** Text with LF line ends, empty for none. */
  body: string;
  /** The canonical output command that made it (faults select on it). */
  command?: string;
  /** Subject to the pager (not for error texts, nor Junos `| no-more`). */
  pageable: boolean;
  /** An error message: the exec channel exits 1. */
  error?: boolean;
  /** What the session does next instead of prompting. */
  after?: 'close' | 'password';
}

const EMPTY: Response = { body: '', pageable: false };

export class CliInterpreter {
  /** Junos statements take effect at `commit`; these run then. */
  private uncommitted: Array<() => void> = [];

  constructor(
    private readonly device: EmulatedDevice,
    readonly state: CliState,
  ) {}

  /** The exec mode a session returns to from configuration mode. */
  get execMode(): CliMode {
    return this.device.profile.dialect === 'junos' ? 'user' : 'enable';
  }

  /**
   * Runs `line` in the current mode. `column` is where the line starts on the screen (the length
   * of the prompt's last line; 0 on the exec channel): the caret of an error points into it.
   */
  execute(line: string, column: number): Response {
    return this.run(line, this.state.mode, column);
  }

  private run(line: string, mode: CliMode, column: number): Response {
    if (line.trim() === '') return EMPTY;
    const profile = this.device.profile;
    const split = splitPipes(line, profile.dialect);
    if (isFilterError(split)) return this.error(split.result, line, column + split.segmentOffset);
    const result = this.device.commandTrees()[mode].match(split.command);
    if (result.kind === 'empty') return this.error({ kind: 'invalid', wordIndex: 0, offset: 0, word: '' }, line, column);
    if (result.kind !== 'command') {
      // Configuration mode takes statements this emulator has no grammar for (`description …`,
      // `no shutdown`) and records them, so config pushes succeed.
      if (mode === 'config' && result.kind === 'invalid' && result.wordIndex === 0) return this.configLine(split.command.trim());
      return this.error(result, line, column);
    }
    return this.act(result.action, result.args, result.keywords, split.filters, line, column);
  }

  private act(action: CommandAction, args: string[], keywords: string[], filters: Filter[], line: string, column: number): Response {
    const profile = this.device.profile;
    const s = this.state;
    switch (action.kind) {
      case 'output': {
        const text = this.device.output(action.command) ?? '';
        return { body: this.filter(text, filters), command: action.command, pageable: !filters.some((f) => f.kind === 'no-more') };
      }
      case 'shadow':
        return { body: this.filter('', filters), command: keywords.join(' '), pageable: false };
      case 'enable': {
        if (s.mode === 'enable') return EMPTY;
        if (this.device.enableSecret !== undefined) return { body: '', pageable: false, after: 'password' };
        const noSecret = profile.enable?.noSecret ?? null;
        if (noSecret === null) {
          s.mode = 'enable';
          return EMPTY;
        }
        return { body: noSecret, pageable: false, error: true };
      }
      case 'disable':
        s.mode = 'user';
        return EMPTY;
      case 'logout':
        return { body: '', pageable: false, after: 'close' };
      case 'page-length': {
        s.pageLength = Number(args[0] ?? '0');
        return { body: profile.dialect === 'junos' ? `Screen length set to ${s.pageLength}\n` : '', pageable: false };
      }
      case 'noop':
        return { body: action.say ? action.say.replace('$1', args[0] ?? '') : '', pageable: false };
      case 'configure':
        s.mode = 'config';
        s.configPath = [];
        return { body: profile.configure.enterMessage, pageable: false };
      case 'end':
        return this.leaveConfig();
      case 'exit-level':
        if (s.configPath.length > 0) {
          s.configPath.pop();
          return EMPTY;
        }
        return this.leaveConfig();
      case 'run-exec': {
        // `do show version | i up`: the rest of the line, pipes included, runs in exec mode.
        const at = /^\s*\S+\s+/.exec(line)?.[0].length ?? line.length;
        return this.run(line.slice(at), this.execMode, column + at);
      }
      case 'hostname':
        this.device.hostname = args[0] ?? this.device.hostname;
        this.device.recordConfigLine(`hostname ${this.device.hostname}`);
        return EMPTY;
      case 'interface': {
        const name = (args[0] ?? '').trim();
        s.configPath = [`interface ${name}`];
        this.device.recordConfigLine(`interface ${name}`);
        return EMPTY;
      }
      case 'commit': {
        for (const apply of this.uncommitted.splice(0)) apply();
        if (!action.quit) return { body: 'commit complete\n', pageable: false };
        const left = this.leaveConfig();
        return { ...left, body: `commit complete\n${left.body}` };
      }
      case 'complete-on-space':
        s.completeOnSpace = action.on;
        return { body: action.on ? 'Enabling complete-on-space\n' : 'Disabling complete-on-space\n', pageable: false };
      case 'config-line':
        return this.configLine(line.trim());
    }
  }

  private leaveConfig(): Response {
    this.state.mode = this.execMode;
    this.state.configPath = [];
    this.uncommitted = [];
    return { body: this.device.profile.configure.exitMessage, pageable: false };
  }

  /**
   * Records a configuration statement; `shutdown` / `no shutdown` under an interface (IOS family)
   * and `set|delete interfaces X disable` (Junos, at commit) move the interface's link state.
   */
  private configLine(statement: string): Response {
    const s = this.state;
    const sub = s.configPath[s.configPath.length - 1];
    this.device.recordConfigLine(sub !== undefined && this.device.profile.dialect === 'ios' ? ` ${statement}` : statement);
    const iface = sub !== undefined ? /^interface\s+(.+)$/i.exec(sub)?.[1] : undefined;
    if (iface !== undefined && /^shut(d(o(w(n)?)?)?)?$/i.test(statement)) this.device.setInterfaceState(iface, 'admin-down');
    if (iface !== undefined && /^no\s+shut(d(o(w(n)?)?)?)?$/i.test(statement)) this.device.setInterfaceState(iface, 'up');
    const junos = /^(set|delete)\s+interfaces\s+(\S+)\s+disable$/i.exec(statement);
    if (junos && this.device.profile.dialect === 'junos') {
      const name = junos[2]!;
      const state = junos[1]!.toLowerCase() === 'set' ? 'admin-down' : 'up';
      this.uncommitted.push(() => this.device.setInterfaceState(name, state));
    }
    return EMPTY;
  }

  private filter(text: string, filters: readonly Filter[]): string {
    const active = filters.filter((f) => f.kind !== 'no-more');
    if (active.length === 0) return text;
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    const kept = applyFilters(lines, active, this.device.profile.dialect);
    return kept.length > 0 ? `${kept.join('\n')}\n` : '';
  }

  private error(result: Exclude<MatchResult<unknown>, { kind: 'command' } | { kind: 'empty' }>, line: string, column: number): Response {
    const errors = this.device.profile.errors;
    const ctx: ErrorContext = {
      line,
      column: column + result.offset,
      wordIndex: result.wordIndex,
      word: result.kind === 'incomplete' ? '' : result.word,
      candidates: result.kind === 'ambiguous' ? result.candidates : [],
    };
    const body = result.kind === 'invalid' ? errors.invalid(ctx) : result.kind === 'ambiguous' ? errors.ambiguous(ctx) : errors.incomplete(ctx);
    return { body, pageable: false, error: true };
  }
}
