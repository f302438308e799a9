// example.test.mjs: run with `node --test` while `fake-server serve` runs.
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';

const FAKE = process.env.FAKE_SERVER_URL ?? 'http://127.0.0.1:8080';
const client = new OpenAI({ apiKey: 'test', baseURL: `${FAKE}/v1`, maxRetries: 2 });

async function control(method, path, body) {
  // The control plane is plain HTTP and JSON.
  const response = await fetch(`${FAKE}/__fake__${path}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    body: body && JSON.stringify(body),
  });
  assert.equal(response.status, 200);
  return response.json();
}

beforeEach(() => control('POST', '/reset')); // back to the loaded scenario

test('cancel stops the batch', async () => {
  const batches = client.vectorStores.fileBatches;
  const before = await batches.retrieve('vsfb_abc123', { vector_store_id: 'vs_abc123' });
  assert.equal(before.status, 'in_progress');

  const batch = await batches.cancel('vsfb_abc123', { vector_store_id: 'vs_abc123' });
  assert.equal(batch.status, 'cancelled');
  assert.deepEqual(batch.file_counts, {
    in_progress: 0, completed: 0, failed: 0, cancelled: 3, total: 3,
  });
});

test('a dropped connection is retried', async () => {
  await control('POST', '/faults', {
    operation: 'cancelVectorStoreFileBatch', drop_connection: true, times: 1,
  });
  const batch = await client.vectorStores.fileBatches.cancel('vsfb_abc123', {
    vector_store_id: 'vs_abc123',
  });
  assert.equal(batch.status, 'cancelled');

  const { requests } = await control('GET', '/requests');
  assert.deepEqual(requests.map((r) => [r.status, r.headers['x-stainless-retry-count']]), [
    [null, '0'],
    [200, '1'],
  ]);
});
