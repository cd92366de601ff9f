/**
 * The command trees of one platform, one per CLI mode, built from its profile: the built-ins, one
 * output command per fixture (privileged ones only in privileged exec), and the platform's other
 * `show` keywords as shadows so that `sh in` is as ambiguous here as on the device. Built once per
 * platform and per set of extra commands (device overrides that add a command), and shared by every
 * device with that set: thousands of devices, a handful of trees.
 */
import { CommandTree } from './command-tree';
import type { CliMode, CommandAction, DeviceProfile } from './device-profile';

export type ModeTrees = Readonly<Record<CliMode, CommandTree<CommandAction>>>;

const cache = new Map<string, ModeTrees>();

/** Trees for `profile`, plus `extra` canonical output commands (sorted, deduplicated by the caller or here). */
export function commandTrees(profile: DeviceProfile, extra: readonly string[] = []): ModeTrees {
  const extras = [...new Set(extra)].filter((c) => !(c in profile.commands)).sort();
  const key = `${profile.platform}\n${extras.join('\n')}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const trees = build(profile, extras);
  cache.set(key, trees);
  return trees;
}

function build(profile: DeviceProfile, extras: readonly string[]): ModeTrees {
  const trees: Record<CliMode, CommandTree<CommandAction>> = {
    user: new CommandTree(),
    enable: new CommandTree(),
    config: new CommandTree(),
  };
  // Exec modes: on Junos only `user` (operational mode) exists; IOS-family have both.
  const execModes: CliMode[] = profile.dialect === 'junos' ? ['user'] : ['user', 'enable'];
  const privilegedPrefixes = new Set<string>();
  for (const [command, spec] of Object.entries(profile.commands)) {
    const modes = spec.privileged && profile.dialect === 'ios' ? (['enable'] as CliMode[]) : execModes;
    if (spec.privileged) privilegedPrefixes.add(command.split(' ').slice(0, 2).join(' '));
    for (const mode of modes) trees[mode].add(command, { kind: 'output', command });
  }
  for (const command of extras) for (const mode of execModes) trees[mode].add(command, { kind: 'output', command });
  // Built-ins last: they win over a fixture with the same words (`show clock` is generated, not stored).
  for (const entry of profile.builtins) for (const mode of entry.modes) trees[mode].add(entry.pattern, entry.action);
  for (const keyword of profile.showKeywords) {
    const pattern = `show ${keyword}`;
    for (const mode of execModes) {
      // In user exec a privileged command is invalid input, not an empty one.
      if (mode === 'user' && profile.dialect === 'ios' && privilegedPrefixes.has(pattern)) continue;
      trees[mode].addIfAbsent(pattern, { kind: 'shadow' });
    }
  }
  return trees;
}
