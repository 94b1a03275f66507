import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ObjectSlot } from '../src/object-slot.ts';

test('a slot holds one value per object, replaced by set and cleared by delete', () => {
  const slot = new ObjectSlot<object, number>('count');
  const [a, b] = [{}, {}];
  assert.equal(slot.get(a), undefined);
  assert.equal(slot.has(a), false);
  slot.set(a, 1).set(b, 2);
  slot.set(a, 3);
  assert.deepEqual([slot.get(a), slot.get(b)], [3, 2]);
  assert.equal(slot.delete(a), true);
  assert.equal(slot.delete(a), false);
  assert.deepEqual([slot.has(a), slot.get(a), slot.get(b)], [false, undefined, 2]);
});

test("a slot is invisible to the owner's keys, JSON and copies, and two slots never share a value", () => {
  const first = new ObjectSlot<Record<string, unknown>, string>('state');
  const second = new ObjectSlot<Record<string, unknown>, string>('state');
  const owner: Record<string, unknown> = { id: 1 };
  first.set(owner, 'first');
  assert.equal(second.get(owner), undefined);
  second.set(owner, 'second');
  assert.deepEqual(Object.keys(owner), ['id']);
  assert.equal(JSON.stringify(owner), '{"id":1}');
  const copy = { ...owner };
  assert.equal(first.get(copy), undefined, 'a spread copy does not carry the slot');
  assert.equal(first.get(Object.assign({}, owner)), undefined);
  assert.deepEqual([first.get(owner), second.get(owner)], ['first', 'second']);
});

test('a frozen, sealed or non-extensible owner keeps its value all the same', () => {
  const slot = new ObjectSlot<object, string>('state');
  for (const owner of [Object.freeze({}), Object.seal({}), Object.preventExtensions({})]) {
    slot.set(owner, 'kept');
    assert.equal(slot.get(owner), 'kept');
    assert.equal(slot.delete(owner), true);
    assert.equal(slot.has(owner), false);
  }
});

test('Fetch requests take slots (the gateway keeps per-request state on them)', () => {
  const slot = new ObjectSlot<Request, string>('request state');
  const request = new Request('http://localhost/graphql', { method: 'POST', body: '{}' });
  slot.set(request, 'state');
  assert.equal(slot.get(request), 'state');
  assert.equal(slot.get(new Request(request)), undefined, 'a request made from another does not share its state');
});

test('an object made with Object.create(owner) sees the owner’s values until it sets its own, and never writes into the owner’s', () => {
  const slot = new ObjectSlot<object, string>('context state');
  const other = new ObjectSlot<object, string>('other state');
  const owner = {};
  slot.set(owner, 'owner').set(owner, 'owner again');
  other.set(owner, 'owner other');
  const child = Object.create(owner) as object;
  assert.deepEqual([slot.get(child), other.get(child)], ['owner again', 'owner other']);
  slot.set(child, 'child');
  assert.deepEqual([slot.get(child), slot.get(owner), other.get(child)], ['child', 'owner again', 'owner other']);
  assert.equal(slot.delete(child), true);
  assert.equal(slot.get(child), undefined, "a deleted value hides the owner's, as a property set to undefined would");
  assert.equal(slot.get(owner), 'owner again');
});
