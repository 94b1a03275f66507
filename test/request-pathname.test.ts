import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requestPathname } from '../src/routes/request-pathname.ts';
import { mulberry32 } from '../examples/ecommerce/seeded-random.ts';

const parsed = (target: string) => new URL(target, 'http://gateway').pathname;
/** A result or the error's code: a target the parser refuses is refused alike. */
const outcome = (read: () => string) => {
  try {
    return read();
  } catch (error) {
    return `throws ${(error as { code?: string }).code}`;
  }
};

test('requestPathname gives what the URL parser gives, for the usual targets and the tricky ones', () => {
  const cases = [
    '/graphql',
    '/graphql?query={a}',
    '/graphql#x',
    '/',
    '/?a=1',
    '/api/products/12',
    '/api//products',
    '//evil.example/graphql',
    '/a/../graphql',
    '/a/./b',
    '/%2e%2e/graphql',
    '/a%2Fb',
    '/a\\b',
    '/ä',
    '/a b',
    '/a"b<c>',
    'http://other/graphql?x',
    '*',
    '/graphql/',
    '/GRAPHQL',
  ];
  for (const target of cases) assert.equal(requestPathname(target), parsed(target), target);
});

test('requestPathname agrees with the URL parser on 20,000 random targets', () => {
  const random = mulberry32(7);
  const alphabet = ['/', '/', 'a', 'Z', '0', '-', '_', '.', '%', '2', 'e', 'f', '?', '#', '\\', ' ', ':', '@', '~', 'é', '\t', '!', '&', '='];
  for (let run = 0; run < 20_000; run++) {
    const length = 1 + Math.floor(random() * 12);
    let target = random() < 0.9 ? '/' : '';
    for (let index = 0; index < length; index++) target += alphabet[Math.floor(random() * alphabet.length)];
    assert.equal(
      outcome(() => requestPathname(target)),
      outcome(() => parsed(target)),
      JSON.stringify(target),
    );
  }
});
