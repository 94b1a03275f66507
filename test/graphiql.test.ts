import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeJwt } from 'jose';
import type { Locator, Page } from 'playwright-core';
import { createDevTokenSource } from '../examples/ecommerce/dev-keys.ts';
import type { GraphiQLConfig } from '../src/config/define-config.ts';
import { launchBrowser } from './helpers/browser.ts';
import { startShop } from './helpers/start-shop.ts';

// GraphiQL 5, as bundled by @graphql-yoga/render-graphiql, draws every editor with Monaco.
const selectors = {
  /** The run button: the class GraphiQL documents for it (its aria-label is "Execute query (Ctrl-Enter)"). */
  executeButton: '.graphiql-execute-button',
  /** The operation editor: GraphiQL labels its section "Operation Editor" for screen readers. */
  queryEditor: 'section[aria-label="Operation Editor"] .monaco-editor',
  /**
   * The variables editor. Its section also holds the (hidden) headers editor and is relabelled
   * "Headers" when that tab is open, so it is picked by its Monaco model URI, `…variables.json`.
   */
  variablesEditor: '.monaco-editor[data-uri$="variables.json"]',
  /** The read-only result editor: GraphiQL's "Result Window" section (model URI `…response.json`). */
  resultEditor: 'section[aria-label="Result Window"] .monaco-editor',
};

/** Each wait fails on its own, well inside the test's timeout. */
const STEP_TIMEOUT = 10_000;

interface OrderHistoryResult {
  data?: { user: { id: string; orders: { items: { product: { name: string } | null }[] }[] } | null };
  errors?: unknown[];
}

test('GraphiQL is self-contained and runs the preloaded order-history query', { timeout: 180_000 }, async (t) => {
  const browser = await launchBrowser(t);
  if (!browser) return;
  const shop = await startShop(t);
  const { graphiql } = shop.gateway.gateway.config;
  assert.ok(graphiql && graphiql.defaultQuery && graphiql.defaultVariables, 'gateway.config.ts preloads a query and variables');
  const origin = new URL(shop.endpoint).origin;

  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  context.setDefaultTimeout(STEP_TIMEOUT);
  context.setDefaultNavigationTimeout(STEP_TIMEOUT);
  const requested: string[] = [];
  context.on('request', (request) => requested.push(`${request.method()} ${request.url()}`));
  const page = await context.newPage();
  page.on('websocket', (socket) => requested.push(`WEBSOCKET ${socket.url()}`));
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  t.after(() => {
    if (consoleErrors.length > 0) t.diagnostic(`console errors in the page:\n${consoleErrors.join('\n')}`);
  });
  // An uncaught error in the page fails the test at once instead of leaving a wait to time out.
  const pageErrors: string[] = [];
  const pageError = new Promise<never>((_, reject) => {
    page.on('pageerror', (error) => {
      pageErrors.push(error.stack || error.message || String(error));
      reject(new Error(`uncaught error in the page: ${error.stack || error.message || String(error)}`));
    });
  });
  pageError.catch(() => {});
  const guard = <T>(step: Promise<T>): Promise<T> => Promise.race([step, pageError]);

  // 1. A browser's GET (accept: text/html…) gets GraphiQL.
  const served = await guard(page.goto(shop.endpoint));
  assert.ok(served, 'navigation answered');
  assert.equal(served.status(), 200);
  assert.match(served.headers()['content-type'] ?? '', /^text\/html/);
  assert.match((await served.request().allHeaders())['accept'] ?? '', /text\/html/);

  // 2. The order-history operation and its variables are preloaded.
  const queryEditor = page.locator(selectors.queryEditor);
  await guard(queryEditor.locator('.view-lines').filter({ hasText: 'query OrderHistory' }).waitFor());
  assert.match(await visibleText(queryEditor), /query OrderHistory\(\$id: ID!\) \{/);
  const variablesEditor = page.locator(selectors.variablesEditor);
  await guard(variablesEditor.waitFor());
  const variables = await visibleText(variablesEditor);
  assert.match(variables, /"id": "1"/, `the variables editor shows ${JSON.stringify(variables)}`);
  assert.deepEqual(JSON.parse(variables), { id: '1' });

  // 3. The run button sends the operation and the result pane shows the answer.
  const [response] = await guard(
    Promise.all([
      page.waitForResponse((candidate) => {
        const request = candidate.request();
        return request.method() === 'POST' && request.url() === shop.endpoint && parseJson(request.postData())?.operationName === 'OrderHistory';
      }),
      page.locator(selectors.executeButton).click(),
    ]),
  );
  assert.equal(response.status(), 200);
  assert.deepEqual(parseJson(response.request().postData())?.variables, { id: '1' });
  const resultEditor = page.locator(selectors.resultEditor);
  // "errors" too, so that a failed query fails here with its message rather than by timing out.
  await guard(
    resultEditor
      .locator('.view-lines')
      .filter({ hasText: /"user"|"errors"/ })
      .waitFor(),
  );

  // 4. A screenshot, for a person to look at (the result pane filled in, nothing selected yet).
  const screenshot = join(tmpdir(), 'concierge-graphiql.png');
  await page.screenshot({ path: screenshot });
  t.diagnostic(`screenshot: ${screenshot}`);

  const resultText = await editorText(page, resultEditor);
  const result = JSON.parse(resultText) as OrderHistoryResult;
  assert.equal(result.errors, undefined, `the result pane shows errors: ${resultText}`);
  const user = result.data?.user;
  assert.ok(user, `the result pane shows no user: ${resultText}`);
  assert.equal(user.id, '1');
  assert.equal(user.orders.length, 10);
  const firstItems = user.orders[0]?.items ?? [];
  assert.ok(firstItems.length > 0, 'the first order has items');
  for (const item of firstItems) assert.ok(item.product?.name, 'every item of the first order names its product');
  assert.deepEqual(result, await response.json(), 'the result pane shows the POST answer');
  // The whole preloaded operation, not just the lines in view.
  assert.equal((await editorText(page, queryEditor)).trimEnd(), graphiql.defaultQuery.trimEnd());

  // Everything came from the gateway: the page needs no internet.
  assert.ok(requested.includes(`GET ${shop.endpoint}`) && requested.includes(`POST ${shop.endpoint}`), requested.join('\n'));
  const elsewhere = requested.filter((entry) => {
    const url = entry.slice(entry.indexOf(' ') + 1);
    return !(url.startsWith('data:') || url.startsWith('blob:') || new URL(url).origin === origin);
  });
  assert.deepEqual(elsewhere, [], `requests to hosts other than the gateway (${origin})`);
  assert.deepEqual(pageErrors, []);
});

test('GraphiQL preloads a token of user 1 minted for the page load, good for 15 minutes and for at least 10 more', async (t) => {
  const shop = await startShop(t);
  const page = await (await fetch(shop.endpoint, { headers: { accept: 'text/html' } })).text();
  const token = /Bearer (ey[\w-]+\.[\w-]+\.[\w-]+)/.exec(page)?.[1];
  assert.ok(token, 'the page carries a bearer token');
  const claims = decodeJwt(token);
  assert.deepEqual([claims.sub, claims.scope, (claims.exp ?? 0) - (claims.iat ?? 0)], ['1', 'orders:read', 900]);
  assert.ok((claims.exp ?? 0) - Date.now() / 1000 >= 600, 'minted at most 5 minutes before this load');

  let now = 0;
  const next = createDevTokenSource({ sub: '1', scopes: ['orders:read'], ttl: 900, now: () => now });
  const first = await next();
  now = 299_999;
  assert.equal(await next(), first, 'reused for 5 minutes, so the page is not rendered again on every load');
  now = 300_000;
  assert.notEqual(await next(), first, 'then a fresh one: reloading the page renews the token');
});

test('exposed beyond loopback (HOST=0.0.0.0), the example gateway preloads no token', async () => {
  const saved = process.env['HOST'];
  process.env['HOST'] = '0.0.0.0';
  try {
    // Its own module instance (another URL), read with HOST set.
    const fresh: string = '../gateway.config.ts?host=exposed';
    const { default: config } = (await import(fresh)) as { default: { host?: string; graphiql?: GraphiQLConfig } };
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.graphiql?.defaultHeaders, undefined, 'whoever could load the page would get the token');
  } finally {
    if (saved === undefined) delete process.env['HOST'];
    else process.env['HOST'] = saved;
  }
});

/** The lines a Monaco editor has drawn (all of them for a short text), with its non-breaking spaces as spaces. */
async function visibleText(editor: Locator): Promise<string> {
  return (await editor.locator('.view-lines').innerText()).replaceAll('\u00a0', ' ');
}

/**
 * The whole text of a Monaco editor. Monaco draws only the lines in view and this bundle keeps its
 * API private (`globalAPI: false`), so the text is taken as a user would: select all, copy, and
 * read the `copy` event's data, which needs no clipboard permission.
 */
async function editorText(page: Page, editor: Locator): Promise<string> {
  await page.evaluate(() => {
    const scope = window as Window & { copiedText?: string };
    delete scope.copiedText;
    window.addEventListener('copy', (event) => (scope.copiedText = event.clipboardData?.getData('text/plain') ?? ''), { once: true });
  });
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('ControlOrMeta+C');
  try {
    await page.waitForFunction(() => (window as Window & { copiedText?: string }).copiedText !== undefined, null, { timeout: 5_000 });
  } catch (error) {
    throw new Error(`copying from the editor gave nothing; it shows: ${await visibleText(editor)}`, { cause: error });
  }
  return page.evaluate(() => (window as Window & { copiedText?: string }).copiedText ?? '');
}

function parseJson(text: string | null): Record<string, unknown> | undefined {
  try {
    return text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
