// The tiny program that runs first inside a harness's sandbox (its own network namespace, no
// network): it listens on 127.0.0.1:<port>, pipes every connection to the recording proxy's unix
// socket (bound in read-only), then starts the agent CLI with the argv it was given — no shell —
// and exits with the CLI's exit code. Written into the trial's folder for node to run.

/** The script's source: `node forward.mjs <port> <socket> <program> [args…]`. */
export const FORWARDER_SOURCE = `import net from 'node:net';
import { spawn } from 'node:child_process';
const [port, socket, program, ...args] = process.argv.slice(2);
const server = net.createServer((client) => {
  const upstream = net.connect(socket);
  client.pipe(upstream).pipe(client);
  const close = () => { client.destroy(); upstream.destroy(); };
  client.on('error', close);
  upstream.on('error', close);
});
server.listen(Number(port), '127.0.0.1', () => {
  const child = spawn(program, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  child.on('error', (err) => {
    console.error('brainbench-forwarder: could not start ' + program + ': ' + err.message);
    process.exit(127);
  });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
});
server.on('error', (err) => {
  console.error('brainbench-forwarder: cannot listen on 127.0.0.1:' + port + ': ' + err.message);
  process.exit(126);
});
`;

/** Exit codes the forwarder itself uses: the CLI never ran. */
export const FORWARDER_NOT_STARTED = [126, 127];
