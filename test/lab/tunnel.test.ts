/**
 * Lab smoke test: loopback tunnels. A CMA in its namespace reaches the machine's 127.0.0.1 only on
 * the ports forwarded to it (Neo4j in the real lab tests), and the test reaches a server on the
 * namespace's 127.0.0.1 (the CMA's REST API) through an exposed port.
 */
import net from 'node:net';
import { describeAsRoot, useLab } from './lab-jest';
import type { LabTopology } from './topology';
import { tsEntryArgs } from './ts-entry';

const topology: LabTopology = {
  switches: [{ name: 'sw1', lldp: false }],
  segments: [{ name: 'lan', subnet: '10.213.1.0/24' }],
  hosts: [],
  cma: { nics: [{ switch: 'sw1', segment: 'lan' }] },
};

/** argv: <port>. Connects to 127.0.0.1:<port>, sends "ping", prints what comes back or the error code. */
const TCP_CLIENT = `
const socket = require('node:net').connect(Number(process.argv[1]), '127.0.0.1');
socket.setEncoding('utf8');
socket.on('connect', () => socket.end('ping'));
let reply = '';
socket.on('data', (d) => (reply += d));
socket.on('end', () => console.log('reply ' + reply));
socket.on('error', (e) => console.log('error ' + e.code));
`;

/** Serves {hostname, path} as JSON on 127.0.0.1:8080. */
const HTTP_SERVER = `
const os = require('node:os');
require('node:http')
  .createServer((req, res) => res.end(JSON.stringify({ hostname: os.hostname(), path: req.url })))
  .listen(8080, '127.0.0.1', () => console.log('serving'));
`;

function startPongServer(): Promise<net.Server> {
  const server = net.createServer((socket) => {
    socket.setEncoding('utf8');
    let text = '';
    socket.on('data', (d) => (text += d));
    socket.on('end', () => socket.end(`pong:${text}`));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const portOf = (server: net.Server): number => (server.address() as net.AddressInfo).port;

describeAsRoot('lab: loopback tunnels between the machine and a namespace', () => {
  const lab = useLab(topology);
  const servers: net.Server[] = [];
  afterAll(() => servers.forEach((s) => s.close()));

  it('forwards a port of the machine into the namespace, and only that port', async () => {
    const [forwarded, other] = [await startPongServer(), await startPongServer()];
    servers.push(forwarded, other);
    await lab().forwardLoopbackPort('cma', portOf(forwarded));

    const through = lab().cma.node(TCP_CLIENT, [String(portOf(forwarded))]);
    await through.exited;
    expect(through.stdout().trim()).toBe('reply pong:ping');

    const isolated = lab().cma.node(TCP_CLIENT, [String(portOf(other))]);
    await isolated.exited;
    expect(isolated.stdout().trim()).toBe('error ECONNREFUSED');
  });

  it("exposes a server on the namespace's loopback to the test", async () => {
    const server = lab().cma.node(HTTP_SERVER);
    await server.waitForOutput('serving');
    const port = await lab().exposeLoopbackPort('cma', 8080);
    const response = await fetch(`http://127.0.0.1:${port}/api/hosts`);
    expect(await response.json()).toEqual({ hostname: 'cma', path: '/api/hosts' });
  });

  it("runs the project's CLI from its TypeScript sources inside the namespace", async () => {
    const cli = lab().cma.spawn(process.execPath, tsEntryArgs('cli/unimatrix.ts', ['--help']));
    expect(await cli.exited).toEqual({ code: 0, signal: null });
    expect(cli.stdout()).toMatch(/^Usage: unimatrix /m);
  });
});
