import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { test, type TestContext } from 'node:test';
import { ConfigError } from '../src/config/config-error.ts';
import { normalizeConfig } from '../src/config/normalize-config.ts';
import { startGateway } from '../src/server/start-gateway.ts';
import { shopSdl } from './helpers/client-shop.ts';
import { writeTestConfig } from './helpers/start-test-gateway.ts';

const source = { shop: { kind: 'graphql', url: 'http://127.0.0.1:9/graphql' } };
const thumbnail = { type: 'String', requires: 'images { url }', resolve: () => null };

/** The problems normalizing `clients` (and the keys beside it) reports. */
function problemsOf(extra: Record<string, unknown>): readonly string[] {
  try {
    normalizeConfig({ sources: source, ...extra }, { env: {} });
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.problems;
  }
  return [];
}

/** The problems starting a gateway over the shop's SDL reports (those found once the schema is known). */
async function startProblemsOf(t: TestContext, clients: Record<string, unknown>): Promise<readonly string[]> {
  const { config } = await writeTestConfig(t, { shop: { kind: 'graphql', url: 'http://127.0.0.1:9/graphql', sdl: shopSdl } }, { clients });
  try {
    const running = await startGateway(config);
    await running.close();
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.problems;
  }
  return [];
}

test('config mistakes in clients name the key, the value and what is expected', () => {
  assert.deepEqual(problemsOf({ clients: { web: { default: true }, mobile: { default: true } } }), [
    'config.clients: expected one profile with default: true, got 2 (web, mobile)',
  ]);
  assert.deepEqual(problemsOf({ clients: { web: {}, mobile: {} } }), [
    'config.defaultClient: expected the name of the profile callers matching none get (one of "web", "mobile"), or default: true on one profile, got nothing',
  ]);
  assert.deepEqual(problemsOf({ clients: { web: {} }, defaultClient: 'desktop' }), ['config.defaultClient: expected one of "web", got "desktop"']);
  assert.deepEqual(problemsOf({ defaultClient: 'web' }), ['config.defaultClient: expected nothing without config.clients, got "web"']);
  assert.deepEqual(
    problemsOf({ consumers: { shop: { keyHash: 'a'.repeat(64), scopes: [] } }, clients: { web: { default: true, consumers: ['shop', 'kiosk'] } } }),
    ['config.clients.web.consumers: expected names of declared consumers (config.consumers: shop), got "kiosk"'],
  );
  assert.deepEqual(problemsOf({ clients: { web: { default: true, rateLimitPlan: 'gold' } }, rateLimits: { plans: { silver: { requests: { max: 1 } } } } }), [
    'config.clients.web.rateLimitPlan: expected one of "silver", got "gold"',
  ]);
  assert.deepEqual(problemsOf({ clients: { web: { default: true, exclude: { tags: 'internal', coordinates: ['Product.field(arg)'] }, colour: 'blue' } } }), [
    'config.clients.web.colour: unknown option; expected one of default, consumers, claim, names, include, exclude, fields, trustedDocuments, limits, rateLimitPlan, versions',
    "config.clients.web.exclude.coordinates: expected schema coordinates such as 'Type', 'Type.field' or 'Type.field(arg:)', got \"Product.field(arg)\"",
    'config.clients.web.exclude.tags: expected a list of non-empty strings, got "internal"',
  ]);
  assert.deepEqual(
    problemsOf({
      clients: { web: { default: true, limits: { maxDepth: 0 }, fields: { 'Product.thumb': { ...thumbnail, type: 'String!', requires: '{ images' } } } },
    }),
    [
      'config.clients.web.fields.Product.thumb.type: expected a nullable type (a failure is a null on the field itself), got "String!"',
      'config.clients.web.fields.Product.thumb.requires: expected a selection set without braces, such as \'images { url width }\', got "{ images"',
      'config.clients.web.limits.maxDepth: expected an integer from 1 to 1000, got 0',
    ],
  );
  assert.deepEqual(problemsOf({ clients: { other: { default: true } } }), [
    'config.clients.other: expected another name: "other" is the metrics label of callers outside the declared profiles',
  ]);
});

test('mistakes only the schema reveals stop start-up with the key at fault: unknown tag or coordinate, an empty view, a computed field needing what is not there', async (t) => {
  assert.deepEqual(
    await startProblemsOf(t, { web: { default: true, exclude: { tags: ['secret'], coordinates: ['Product.colour', 'Query.search(limit:)'] } } }),
    [
      'config.clients.web.exclude.tags: expected tags used by @tag in the registered schemas (internal, payments), got "secret"',
      'config.clients.web.exclude.coordinates: expected coordinates of the composed schema, got "Product.colour" (no such element)',
      'config.clients.web.exclude.coordinates: expected coordinates of the composed schema, got "Query.search(limit:)" (no such element)',
    ],
  );
  assert.deepEqual(await startProblemsOf(t, { web: { default: true, include: { tags: ['payments'] } } }), [
    'config.clients.web: the view leaves Query with no field; expected include/exclude to keep at least one',
  ]);
  assert.deepEqual(await startProblemsOf(t, { web: { default: true, exclude: { coordinates: ['Query.products', 'Query.order', 'Query.feed', 'Product'] } } }), [
    'config.clients.web: the view leaves Query with no field; expected include/exclude to keep at least one',
  ]);
  assert.deepEqual(
    await startProblemsOf(t, {
      web: {
        default: true,
        fields: {
          'Product.thumb': { ...thumbnail, requires: 'pictures { url }' },
          'Payment.masked': { ...thumbnail, requires: 'cardLast4' },
          'Product.name': thumbnail,
          'Product.when': { ...thumbnail, type: 'Date' },
        },
      },
      mobile: { exclude: { tags: ['payments'] }, fields: { 'Payment.masked': { ...thumbnail, requires: 'cardLast4' } } },
    }),
    [
      'config.clients.web.fields.Product.thumb.requires: expected fields of Product in this profile\'s view, got "{ pictures { url } }": Cannot query field "pictures" on type "Product".',
      'config.clients.web.fields.Product.name: expected a new field, got one Product already has',
      'config.clients.web.fields.Product.when.type: expected a scalar or enum type of the view (or a list of one), got "Date"',
      'config.clients.mobile.fields.Payment.masked: expected a field of an object type of this profile\'s view, got type "Payment" (not in the view)',
    ],
  );
});

test('contract rules: a removed type takes the fields returning it and the arguments typed by it; a required argument removed takes its field', async (t) => {
  const { config } = await writeTestConfig(
    t,
    { shop: { kind: 'graphql', url: 'http://127.0.0.1:9/graphql', sdl: shopSdl } },
    {
      clients: { web: { default: true, exclude: { coordinates: ['Payment', 'Query.search(term:)', 'Image.url', 'Image.width'] } } },
    },
  );
  const running = await startGateway(config);
  t.after(() => running.close());
  const view = running.gateway.graphs.current.views?.byName('web')?.schema;
  assert.ok(view);
  const fieldsOf = (name: string) => Object.keys((view.getType(name) as { getFields(): object } | undefined)?.getFields() ?? {});
  assert.deepEqual(fieldsOf('Order'), ['id', 'total'], 'Order.payment returned the removed Payment');
  assert.deepEqual(fieldsOf('Query'), ['products', 'order', 'feed'], 'Query.search lost its required argument');
  assert.deepEqual(fieldsOf('Product'), ['id', 'name', 'price', 'cost'], 'Image lost every field, so Product.images went with it');
  assert.equal(view.getType('Image'), undefined);
  assert.equal(view.getType('Payment'), undefined);
});

test('concierge compose --client prints that profile view of the example shop; an unknown profile is a usage error', async () => {
  const mobile = await concierge(['compose', '--client', 'mobile']);
  assert.equal(mobile.code, 0, mobile.stderr);
  assert.match(mobile.stdout, /shortDescription: String/);
  assert.doesNotMatch(mobile.stdout, /payment:|type Payment|PaymentStatus/);
  const web = await concierge(['compose', '--client', 'web']);
  assert.match(web.stdout, /payment: Payment/);
  assert.doesNotMatch(web.stdout, /shortDescription/);
  const unknown = await concierge(['compose', '--client', 'tablet']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /^--client: expected a profile of config\.clients \(web, mobile\), got "tablet"\n/);
});

/** Runs the CLI in the repository (the example shop's gateway.config.ts). */
async function concierge(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [fileURLToPath(new URL('../bin/concierge.js', import.meta.url)), ...args], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}
