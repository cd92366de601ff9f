import { Command } from 'commander';
import { runEmulator } from '../../poller/emulator/run-emulator';

/**
 * `unimatrix emulator`: emulated switches and routers (Cisco IOS/NX-OS, Arista EOS, Juniper Junos)
 * behind real SSH on this machine, to point pollers at without a lab of real devices. Options are
 * validated by runEmulator (poller/emulator/run-emulator.ts); it runs until SIGINT or SIGTERM.
 */
export function registerEmulatorCommand(program: Command): void {
  program
    .command('emulator')
    .description('emulate network devices (IOS, NX-OS, EOS, Junos) over SSH on this machine until stopped')
    .option('--devices <n>', 'how many devices', '10')
    .option('--base-port <port>', 'first port (per-device: one port each; shared: the one port)', '10022')
    .option('--listen <mode>', 'per-device or shared (device chosen by login name: admin%dev3)', 'per-device')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--prefix <name>', 'device name prefix', 'dev')
    .option('--username <name>', 'login name', 'admin')
    .option('--password <password>', 'login password', 'admin')
    .option('--enable-secret <secret>', 'password of enable (IOS, NX-OS, EOS)')
    .option('--authorized-keys <file>', 'OpenSSH public keys accepted for the login name')
    .option('--latency-ms <ms>', 'delay before each command output')
    .option('--devices-file <file>', 'JSON array of device specs instead of a generated fleet')
    .option('--list', 'print one line per device', false)
    .action(async (opts: Record<string, unknown>) => {
      await runEmulator(opts);
    });
}
