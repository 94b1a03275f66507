import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** What `concierge init` wrote, and the README text to paste when a README was there already. */
export interface InitResult {
  written: string[];
  /** The README snippet, when it was not written (a README.md exists). */
  readmeSnippet?: string;
}

/** A file `concierge init` would overwrite: it refuses, naming them, unless `force`. */
export class InitConflict extends Error {
  constructor(readonly files: string[]) {
    super(`init: ${files.join(', ')} already exist; nothing was written (--force overwrites them)`);
  }
}

// A type-only import: the file needs nothing of the package at run time, so it loads the same
// whether the project's package.json says "type": "module" or not.
const config = `import type { GatewayConfig } from 'concierge';

// One REST service to start with; add sources as services join. Each source's schema is the SDL
// file named after it in schemas/, and services need not run for the gateway to start: their
// fields fail alone while they are down.
export default {
  // Loopback only until you put a TLS-terminating proxy or tls: {...} in front of it.
  host: process.env['HOST'] ?? '127.0.0.1',
  port: Number(process.env['PORT'] ?? 4000),
  sources: {
    products: { kind: 'rest', url: process.env['PRODUCTS_URL'] ?? 'http://127.0.0.1:4001' },
  },
} satisfies GatewayConfig;
`;

const productsSchema = `# products: a REST service. GET /products/{id} answers one product, GET /products?ids=1,2 several.
# Each field says which call answers it (@http); lists say how long they may be (@listSize).

type Product @key(selectionSet: "{ id }") @canonical {
  id: ID!
  name: String!
  price: Float!
}

type Query {
  product(id: ID!): Product @http(GET: "/products/{args.id}")
  products(first: Int = 20 @constraint(min: 1, max: 100)): [Product!]! @http(GET: "/products?limit={args.first}")
    @listSize(slicingArguments: ["first"])
  productsByIds(ids: [ID!]!): [Product]! @http(GET: "/products?ids={args.ids}", batchKey: "id") @merge(keyField: "id") @inaccessible
}
`;

const readme = `## GraphQL gateway

The API is served by [Concierge](https://www.npmjs.com/package/concierge): one GraphQL endpoint over
our services, configured in \`gateway.config.ts\`, with each service's schema in \`schemas/\`.

| command | what it does |
|---|---|
| \`npx concierge start\` | serve at http://localhost:4000/graphql (GraphiQL in a browser) |
| \`npx concierge dev\` | the same, recomposing on every change of the config or a schema |
| \`npx concierge check\` | validate the config and the schemas (for CI): exit 0 ok, 1 problems |
| \`npx concierge compose\` | print the composed schema |

Add a service: a source in \`gateway.config.ts\` and its SDL in \`schemas/<name>.graphql\`.
`;

/**
 * `concierge init`: a config with one REST source, its SDL in `schemas/`, and a README section.
 * Never overwrites a file unless `force`; an existing README.md is left alone and the section
 * returned to paste.
 */
export async function initProject(cwd: string, { force = false } = {}): Promise<InitResult> {
  const files = { 'gateway.config.ts': config, [path.join('schemas', 'products.graphql')]: productsSchema };
  const conflicts = Object.keys(files).filter((file) => existsSync(path.join(cwd, file)));
  if (conflicts.length > 0 && !force) throw new InitConflict(conflicts);
  await mkdir(path.join(cwd, 'schemas'), { recursive: true });
  const written: string[] = [];
  for (const [file, text] of Object.entries(files)) {
    await writeFile(path.join(cwd, file), text);
    written.push(file);
  }
  if (existsSync(path.join(cwd, 'README.md'))) return { written, readmeSnippet: readme };
  await writeFile(path.join(cwd, 'README.md'), `# ${path.basename(cwd)}\n\n${readme}`);
  return { written: [...written, 'README.md'] };
}
