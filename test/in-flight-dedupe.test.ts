import assert from 'node:assert/strict';
import { test } from 'node:test';
import { copyJson } from '../src/copy-json.ts';
import type { ReceivedResponse, SendUpstream } from '../src/transport/received-response.ts';
import { withInFlightDedupe } from '../src/transport/in-flight-dedupe.ts';
import { requestKey } from '../src/transport/request-key.ts';

/**
 * In-flight dedupe hands each waiting caller a body of its own: a copy made when the call settles,
 * before the first caller (which gets the parsed body itself) can change it, equal to what parsing
 * the text again gives.
 */
const text = '{"data":{"items":[{"id":"1","tags":["a","b"],"price":1.5,"none":null,"ok":true}],"__proto__":{"polluted":1}}}';

function controlledSend(): { send: SendUpstream; calls: () => number; answer: () => void } {
  let calls = 0;
  let release: (response: ReceivedResponse) => void = () => undefined;
  const send: SendUpstream = () => {
    calls += 1;
    return new Promise((resolve) => (release = resolve));
  };
  return { send, calls: () => calls, answer: () => release({ status: 200, headers: {}, text, body: JSON.parse(text) }) };
}

test('waiters get deep copies made before any caller resumes, equal to the text parsed again', async () => {
  const upstream = controlledSend();
  const send = withInFlightDedupe(upstream.send);
  const request = { method: 'GET', path: '/items', headers: {} } as Parameters<SendUpstream>[0];
  // The first caller changes its body the moment it gets it, as the engine's merge does.
  const first = send(request).then((response) => {
    ((response.body as { data: { items: Record<string, unknown>[] } }).data.items[0] as Record<string, unknown>)['merged'] = 'by the first caller';
    return response;
  });
  const waiters = [send(request), send(request)];
  assert.equal(upstream.calls(), 1);
  upstream.answer();
  const [mine, ...theirs] = await Promise.all([first, ...waiters]);
  for (const response of theirs) {
    assert.deepEqual(response.body, JSON.parse(text));
    assert.notEqual(response.body, mine?.body);
    assert.equal(response.status, 200);
    // `__proto__` stays an own key, as JSON.parse makes it.
    const data = (response.body as { data: object }).data;
    assert.ok(Object.hasOwn(data, '__proto__'));
    assert.equal(Object.getPrototypeOf(data), Object.prototype);
  }
  assert.notEqual(theirs[0]?.body, theirs[1]?.body);
  // After it settled, the next identical call goes upstream again.
  const again = send(request);
  assert.equal(upstream.calls(), 2);
  upstream.answer();
  await again;
});

test('copyJson copies every JSON value as JSON.parse gives it', () => {
  const value = JSON.parse('{"a":[1,-0,2.5e10,"x",null,false,{"b":{}}],"__proto__":[1],"c":""}');
  const copy = copyJson(value);
  assert.deepEqual(copy, value);
  assert.notEqual(copy.a, value.a);
  assert.notEqual(copy.a[6], value.a[6]);
  assert.ok(Object.is(copy.a[1], -0));
  assert.ok(Object.hasOwn(copy, '__proto__'));
  assert.ok(Array.isArray(Object.getOwnPropertyDescriptor(copy, '__proto__')?.value));
  assert.equal(Object.getPrototypeOf(copy), Object.prototype);
});

test('request keys: equal only when method, path, headers (but trace context and request ids) and body are', () => {
  const base = { method: 'POST', path: '/graphql', headers: { 'Content-Type': 'application/json', 'x-user-id': '1' }, body: '{"query":"{ a }"}' };
  const key = requestKey(base);
  assert.equal(requestKey({ ...base, headers: { 'x-user-id': '1', 'content-type': 'application/json', traceparent: '00-x', 'x-request-id': 'r' } }), key);
  const others = [
    { ...base, method: 'GET' },
    { ...base, path: '/graphql2' },
    { ...base, path: '/graphql\n["x"]' },
    { ...base, headers: { ...base.headers, 'x-user-id': '2' } },
    { ...base, body: '{"query":"{ b }"}' },
    { ...base, body: undefined },
    { ...base, body: '' },
    { ...base, body: '-' },
  ];
  const keys = new Set([key, ...others.map(requestKey)]);
  assert.equal(keys.size, others.length + 1);
});
