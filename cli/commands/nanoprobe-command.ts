import type { Command } from 'commander';
import { nanoprobeCommand } from '../../nanoprobe/command';

/** `unimatrix nanoprobe …`: the per-host agent (its options and behaviour live in nanoprobe/command.ts). */
export function registerNanoprobeCommand(program: Command): void {
  program.addCommand(nanoprobeCommand('nanoprobe'));
}
