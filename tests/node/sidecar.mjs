// Start `fake-server serve` on a free port and learn its URL from --ready-file.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export async function startFakeServer(...args) {
  const dir = await mkdtemp(join(tmpdir(), 'fake-server-'));
  const readyFile = join(dir, 'ready.json');
  const command = process.env.FAKE_SERVER_COMMAND ?? 'fake-server';
  const server = spawn(command, ['serve', '--port', '0', '--ready-file', readyFile, ...args], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = once(server, 'exit');
  const stop = async () => {
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; await sleep(20)) {
    if (server.exitCode !== null) break;
    const ready = await readFile(readyFile, 'utf8').catch(() => null);
    if (ready !== null) return { ...JSON.parse(ready), stop };
  }
  await stop();
  throw new Error(`${command} serve did not become ready`);
}
