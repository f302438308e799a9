// The openai npm SDK's Responses API with file_search against `fake-server serve`:
// a cited answer, and a streamed one read event by event.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startFakeServer } from './sidecar.mjs';

const SESSION = 'responses';
const SCENARIO = [
  'clock: {mode: virtual, start: 1704067200}',
  'files:',
  '  - {id: file-refunds, filename: refunds.md, content: "Refunds are paid within 14 days. Ask us."}',
  '  - {id: file-ship, filename: ship.md, content: "Parcels ship within three days."}',
  'vector_stores:',
  '  - id: vs_docs',
  '    file_batches:',
  '      - files: [{id: file-refunds, status: completed}, {id: file-ship, status: completed}]',
].join('\n');
const TOOLS = [{ type: 'file_search', vector_store_ids: ['vs_docs'] }];
let server;
let client;

before(async () => {
  server = await startFakeServer();
  const loaded = await fetch(`${server.url}/__fake__/scenario`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/yaml', 'X-Fake-Session': SESSION },
    body: SCENARIO,
  });
  assert.equal(loaded.status, 200, await loaded.text());
  client = new OpenAI({
    apiKey: 'test',
    baseURL: `${server.url}/v1`,
    maxRetries: 0,
    defaultHeaders: { 'X-Fake-Session': SESSION },
  });
});
after(() => server?.stop());

describe('responses with file_search', () => {
  test('create answers with citations and the included results', async () => {
    const response = await client.responses.create({
      model: 'gpt-4o-mini',
      input: 'How are refunds paid?',
      tools: TOOLS,
      include: ['file_search_call.results'],
    });
    const [call, message] = response.output;
    assert.equal(call.type, 'file_search_call');
    assert.equal(call.results[0].file_id, 'file-refunds');
    assert.equal(response.output_text, 'Refunds are paid within 14 days.');
    const [citation] = message.content[0].annotations;
    assert.deepEqual(
      [citation.type, citation.file_id, citation.filename],
      ['file_citation', 'file-refunds', 'refunds.md'],
    );
    const read = await client.responses.retrieve(response.id);
    assert.equal(read.output_text, response.output_text);
  });

  test('stream sends the events in order, then the final response', async () => {
    const stream = client.responses.stream({ model: 'm', input: 'How are refunds paid?', tools: TOOLS });
    const kinds = [];
    const numbers = [];
    for await (const event of stream) {
      kinds.push(event.type);
      numbers.push(event.sequence_number);
    }
    const final = await stream.finalResponse();
    assert.equal(kinds[0], 'response.created');
    assert.equal(kinds.at(-1), 'response.completed');
    assert.ok(kinds.includes('response.file_search_call.searching'));
    assert.ok(kinds.includes('response.output_text.annotation.added'));
    assert.deepEqual(numbers, [...numbers.keys()]);
    assert.equal(final.output_text, 'Refunds are paid within 14 days.');
  });

  test('another tool is refused with a 400', async () => {
    await assert.rejects(
      client.responses.create({ model: 'm', input: 'hi', tools: [{ type: 'web_search_preview' }] }),
      (error) => error.status === 400 && /file_search tool only/.test(error.message),
    );
  });
});
