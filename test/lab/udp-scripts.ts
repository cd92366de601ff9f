/**
 * Small real UDP programs for the smoke tests, run with `node -e` inside lab namespaces. Each prints
 * one JSON object per line, so tests read what happened on the wire from the programs' output.
 */

/** argv: <port> [<multicast group>]. Joins the group if given, prints `ready <hostname>`, then prints
 * {from, text, hostname} for every datagram and answers it by unicast with "ack:<text>". */
export const UDP_RESPONDER = `
const dgram = require('node:dgram');
const os = require('node:os');
const [port, group] = process.argv.slice(1);
const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
socket.on('error', (err) => console.error(String(err)));
socket.on('message', (msg, rinfo) => {
  console.log(JSON.stringify({ from: rinfo.address, text: msg.toString(), hostname: os.hostname() }));
  socket.send('ack:' + msg.toString(), rinfo.port, rinfo.address, () => undefined);
});
socket.bind(Number(port), () => {
  if (group) socket.addMembership(group);
  console.log('ready ' + os.hostname());
});
`;

/** argv: <address> <port> <text> <limit ms>. Sends <text> every 200 ms until an answer arrives, then
 * prints {reply, from} and exits 0; prints {timeout: true} and exits 2 if none comes within the limit. */
export const UDP_ASKER = `
const dgram = require('node:dgram');
const [address, port, text, limitMs] = process.argv.slice(1);
const socket = dgram.createSocket('udp4');
socket.on('error', () => undefined);
let timer;
socket.on('message', (msg, rinfo) => {
  console.log(JSON.stringify({ reply: msg.toString(), from: rinfo.address }));
  process.exit(0);
});
setTimeout(() => {
  console.log(JSON.stringify({ timeout: true }));
  process.exit(2);
}, Number(limitMs));
socket.bind(0, () => {
  const send = () => socket.send(text, Number(port), address, () => undefined);
  send();
  timer = setInterval(send, 200);
});
`;

export interface AskerOutcome {
  reply?: string;
  from?: string;
  timeout?: boolean;
}

/** The asker's last JSON line. */
export function parseAskerOutput(stdout: string): AskerOutcome {
  const last = stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(last) as AskerOutcome;
}

/** All JSON lines a responder printed for received datagrams. */
export function parseResponderOutput(stdout: string): { from: string; text: string; hostname: string }[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { from: string; text: string; hostname: string });
}
