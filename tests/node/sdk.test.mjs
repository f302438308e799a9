// The openai npm SDK against `fake-server serve`: helpers, pagination, errors, faults, sessions.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI, { toFile } from 'openai';
import { startFakeServer } from './sidecar.mjs';

const STORE = 'vs_abc123';
const BATCH = 'vsfb_abc123';
let server;

before(async () => {
  server = await startFakeServer();
});
after(() => server?.stop());
beforeEach(() => admin('POST', '/reset'));

function openai({ session, ...options } = {}) {
  const defaultHeaders = session ? { 'X-Fake-Session': session } : {};
  return new OpenAI({ apiKey: 'test', baseURL: `${server.url}/v1`, maxRetries: 0, defaultHeaders, ...options });
}

// The control plane: plain HTTP; a YAML body is a scenario. With a session
// (X-Fake-Session), it acts on that session's own state only.
async function admin(method, path, body, session) {
  const headers = { 'Content-Type': typeof body === 'string' ? 'application/yaml' : 'application/json' };
  if (session) headers['X-Fake-Session'] = session;
  const response = await fetch(`${server.url}/__fake__${path}`, {
    method,
    headers,
    body: typeof body === 'string' ? body : body && JSON.stringify(body),
  });
  assert.equal(response.status, 200, await response.clone().text());
  return response.json();
}

const addFault = (rule) => admin('POST', '/faults', rule);
const journal = async (session) => (await admin('GET', '/requests', undefined, session)).requests;

describe('polling helpers on a virtual clock', () => {
  const session = 'polling';
  beforeEach(() =>
    admin('PUT', '/scenario', [
      'clock: {mode: virtual, start: 1704067200, advance_on_poll: 30}',
      'defaults: {processing_seconds: 60}',
      'files: [{id: file-one}, {id: file-two}]',
      'vector_stores: [{id: vs_docs, name: Docs}]',
    ].join('\n'), session),
  );

  test('createAndPoll finishes without sleeping', async () => {
    const started = Date.now();
    const batch = await openai({ session }).vectorStores.fileBatches.createAndPoll('vs_docs', {
      file_ids: ['file-one', 'file-two'],
    });
    assert.equal(batch.status, 'completed');
    assert.equal(batch.file_counts.completed, 2);
    assert.ok(Date.now() - started < 2000);
  });

  test('uploadAndPoll uploads each file, then polls the batch', async () => {
    const client = openai({ session });
    const store = await client.vectorStores.create({ name: 'uploads' });
    const files = await Promise.all(
      ['alpha', 'beta', 'gamma'].map((text) => toFile(Buffer.from(text), `${text}.txt`)),
    );
    const batch = await client.vectorStores.fileBatches.uploadAndPoll(store.id, { files });
    assert.equal(batch.status, 'completed');
    assert.deepEqual(batch.file_counts, { in_progress: 0, completed: 3, failed: 0, cancelled: 0, total: 3 });
    const uploads = (await journal(session)).filter((r) => r.operation === 'createFile');
    assert.equal(uploads.length, 3);
  });
});

test('auto-pagination walks every page of a batch', async () => {
  const files = Array.from({ length: 45 }, (_, i) => `{id: file-${String(i).padStart(2, '0')}}`);
  const session = 'pages';
  const scenario = `vector_stores: [{id: vs_big, file_batches: [{id: vsfb_big, files: [${files}]}]}]`;
  await admin('PUT', '/scenario', scenario, session);
  const seen = [];
  for await (const file of openai({ session }).vectorStores.fileBatches.listFiles('vsfb_big', {
    vector_store_id: 'vs_big',
    limit: 10,
  })) {
    seen.push(file.id);
  }
  assert.equal(seen.length, 45);
  assert.equal(new Set(seen).size, 45);
  const pages = (await journal(session)).filter((r) => r.operation === 'listFilesInVectorStoreBatch');
  assert.equal(pages.length, 5);
});

describe('error classes', () => {
  test('404 is NotFoundError, with the envelope and the request id', async () => {
    const error = await openai().vectorStores.fileBatches
      .retrieve('vsfb_missing', { vector_store_id: STORE })
      .catch((e) => e);
    assert.ok(error instanceof OpenAI.NotFoundError);
    assert.equal(error.status, 404);
    assert.equal(error.type, 'invalid_request_error');
    assert.match(error.requestID, /^req_[0-9a-f]{32}$/);
  });

  test('a wrong id prefix is BadRequestError naming the parameter', async () => {
    const error = await openai().vectorStores.fileBatches
      .retrieve('vs_not_a_batch', { vector_store_id: STORE })
      .catch((e) => e);
    assert.ok(error instanceof OpenAI.BadRequestError, String(error));
    assert.equal(error.param, 'batch_id');
  });

  test('no Authorization header is AuthenticationError', async () => {
    // The SDK refuses to start without a key; a null header removes it from requests.
    const client = openai({ apiKey: 'unused', defaultHeaders: { Authorization: null } });
    const error = await client.vectorStores.retrieve(STORE).catch((e) => e);
    assert.ok(error instanceof OpenAI.AuthenticationError);
    assert.equal(error.status, 401);
  });

  test('a scripted 500 is InternalServerError when retries are off', async () => {
    await addFault({ operation: 'getVectorStore', status: 500, message: 'scripted' });
    const error = await openai().vectorStores.retrieve(STORE).catch((e) => e);
    assert.ok(error instanceof OpenAI.InternalServerError);
    assert.equal(error.type, 'server_error');
    assert.match(error.message, /scripted/);
  });
});

describe('faults, as the SDK retries them', () => {
  test('a 429 with retry-after-ms is waited for and retried', async () => {
    await addFault({ operation: 'cancelVectorStoreFileBatch', status: 429, times: 1, retry_after_ms: 10 });
    const batch = await openai({ maxRetries: 2 }).vectorStores.fileBatches.cancel(BATCH, {
      vector_store_id: STORE,
    });
    assert.equal(batch.status, 'cancelled');
    const tries = (await journal()).map((r) => [r.status, r.headers['x-stainless-retry-count']]);
    assert.deepEqual(tries, [[429, '0'], [200, '1']]);
  });

  test('a dropped connection is APIConnectionError, and retried', async () => {
    await addFault({ operation: 'getVectorStore', drop_connection: true });
    const error = await openai().vectorStores.retrieve(STORE).catch((e) => e);
    assert.ok(error instanceof OpenAI.APIConnectionError, String(error));
    await admin('DELETE', '/faults');

    await addFault({ operation: 'cancelVectorStoreFileBatch', drop_connection: true, times: 2 });
    const batch = await openai({ maxRetries: 2 }).vectorStores.fileBatches.cancel(BATCH, {
      vector_store_id: STORE,
    });
    assert.equal(batch.status, 'cancelled');
    const cancels = (await journal()).filter((r) => r.operation === 'cancelVectorStoreFileBatch');
    assert.deepEqual(cancels.map((r) => r.status), [null, null, 200]);
  });

  test('a body cut mid-way is not retried: the SDK has already accepted the 200', async () => {
    await addFault({ operation: 'cancelVectorStoreFileBatch', drop_connection: 'mid_body', times: 1 });
    const error = await openai({ maxRetries: 2 }).vectorStores.fileBatches
      .cancel(BATCH, { vector_store_id: STORE })
      .catch((e) => e);
    assert.ok(error instanceof TypeError, String(error));
    assert.equal(error.message, 'terminated');
    const cancels = (await journal()).filter((r) => r.operation === 'cancelVectorStoreFileBatch');
    assert.deepEqual(cancels.map((r) => r.status), [null]);
  });
});

test('sessions keep parallel jobs apart', async () => {
  const job = (session) => openai({ session });
  const cancelled = await job('node-a').vectorStores.fileBatches.cancel(BATCH, { vector_store_id: STORE });
  assert.equal(cancelled.status, 'cancelled');
  const untouched = await job('node-b').vectorStores.fileBatches.retrieve(BATCH, { vector_store_id: STORE });
  assert.equal(untouched.status, 'in_progress');

  const requests = await journal('node-a');
  assert.deepEqual(requests.map((r) => r.operation), ['cancelVectorStoreFileBatch']);
  assert.deepEqual(await journal(), []); // the default session saw nothing
  const { sessions } = await admin('GET', '/sessions');
  assert.ok(JSON.stringify(sessions).includes('node-b'));
  await admin('DELETE', '/sessions/node-a');
  await admin('DELETE', '/sessions/node-b');
});
