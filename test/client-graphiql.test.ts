import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser } from './helpers/browser.ts';
import { startClientShop } from './helpers/client-shop.ts';

/** Each wait fails on its own, well inside the test's timeout. */
const STEP_TIMEOUT = 10_000;

/**
 * The fields GraphiQL's documentation explorer lists for `Product`, as loaded from the gateway
 * with the page's headers editor holding `headers` (GraphiQL introspects with those headers).
 */
async function productFieldsShown(
  t: TestContext,
  browser: Browser,
  headers: Record<string, string>,
): Promise<{ fields: string[]; introspectedWith: Array<Record<string, string>> }> {
  const { endpoint } = await startClientShop(t, { limits: { introspection: 'on' }, graphiql: { defaultHeaders: JSON.stringify(headers) } });
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  context.setDefaultTimeout(STEP_TIMEOUT);
  t.after(() => context.close());
  const page = await context.newPage();
  const introspectedWith: Array<Record<string, string>> = [];
  page.on('request', (request) => {
    if (request.method() === 'POST' && /__schema/.test(request.postData() ?? '')) introspectedWith.push(request.headers());
  });
  await page.goto(endpoint);
  await page.locator('[aria-label="Show Documentation Explorer"]').click();
  await page.locator('.graphiql-doc-explorer').getByText('Query', { exact: true }).click();
  await page.locator('.graphiql-doc-explorer').getByText('Product', { exact: true }).first().click();
  const fieldNames = page.locator('.graphiql-doc-explorer .graphiql-doc-explorer-field-name');
  await fieldNames.getByText('price', { exact: true }).waitFor();
  return { fields: await fieldNames.allTextContents(), introspectedWith };
}

test('GraphiQL shows each profile its own schema: the headers editor chooses the profile, as for any client', { timeout: 180_000 }, async (t) => {
  const browser = await launchBrowser(t);
  if (!browser) return;
  const web = await productFieldsShown(t, browser, { 'graphql-client-name': 'web' });
  assert.deepEqual(web.fields, ['id', 'name', 'price', 'images']);
  assert.equal(web.introspectedWith[0]?.['graphql-client-name'], 'web');

  const mobile = await productFieldsShown(t, browser, { 'graphql-client-name': 'shop-ios' });
  assert.deepEqual(mobile.fields, ['id', 'name', 'price', 'images', 'thumbnail']);
  assert.equal(mobile.introspectedWith[0]?.['graphql-client-name'], 'shop-ios');
});
