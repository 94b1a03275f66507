import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { buildSchema, parse, print } from 'graphql';
import { computeCost, type CostOptions } from '../src/limits/compute-cost.ts';
import { buildCostModel } from '../src/limits/cost-model.ts';
import { compositionDirectives } from '../src/sources/build-source-schema.ts';

const directives = print(compositionDirectives);

const sdl = /* GraphQL */ `
  scalar Money @cost(weight: 2)
  type Image @cost(weight: 3) { url: String! }
  type Review { id: ID! body: String! }
  type Product {
    id: ID!
    price: Money!
    image: Image
    reviews(first: Int, last: Int): [Review!]! @listSize(slicingArguments: ["first", "last"])
    similar(limit: Int = 4): [Product!]! @listSize(slicingArguments: ["limit"])
    tags: [String!]!
    related: [Product!]! @listSize(assumedSize: 50)
    recommendations(first: Int, last: Int): [Product!]! @listSize(slicingArguments: ["first", "last"], requireOneSlicingArgument: false)
    history(first: Int!): ProductConnection! @listSize(slicingArguments: ["first"], sizedFields: ["edges"])
  }
  type ProductConnection { total: Int! edges: [ProductEdge!]! }
  type ProductEdge { node: Product! }
  interface Node { id: ID! }
  type Query {
    product(id: ID!): Product
    products: [Product!]!
    search(term: String! @cost(weight: 7), exact: Boolean @cost(weight: 1)): [Product!]! @cost(weight: 5) @listSize(assumedSize: 3)
    node(id: ID!): Node
  }
`;
const schema = buildSchema(`${directives}\n${sdl}`);
const model = buildCostModel([schema]);

const cost = (query: string, options: Partial<CostOptions> = {}) => computeCost(parse(query), { schema, model, defaultListSize: 10, ...options });
const costOf = (query: string, options: Partial<CostOptions> = {}) => {
  const result = cost(query, options);
  assert.deepEqual(result.problems, [], query);
  return result.cost;
};

test('objects cost 1, scalars and enums 0, @cost on types replaces that', () => {
  assert.equal(costOf('{ product(id: "1") { id } }'), 1);
  assert.equal(costOf('{ product(id: "1") { id price } }'), 3, 'Money weighs 2');
  assert.equal(costOf('{ product(id: "1") { image { url } } }'), 4, 'Image weighs 3');
  assert.equal(costOf('{ __typename }'), 0);
});

test('a list multiplies its elements by defaultListSize, assumedSize or the slicing argument', () => {
  assert.equal(costOf('{ products { id } }'), 10);
  assert.equal(costOf('{ products { id } }', { defaultListSize: 2 }), 2);
  assert.equal(costOf('{ product(id: "1") { tags } }'), 1, 'a list of scalars is free');
  assert.equal(costOf('{ product(id: "1") { related { id } } }'), 51);
  assert.equal(costOf('{ product(id: "1") { reviews(first: 7) { id } } }'), 8);
  assert.equal(costOf('{ product(id: "1") { related { related { id } } } }'), 1 + 50 * (1 + 50));
});

test('slicing arguments read variables, variable defaults and argument defaults', () => {
  const query = 'query($n: Int) { product(id: "1") { reviews(last: $n) { id } } }';
  assert.equal(costOf(query, { variables: { n: 30 } }), 31);
  assert.equal(costOf('query($n: Int = 12) { product(id: "1") { reviews(first: $n) { id } } }'), 13);
  assert.equal(costOf('{ product(id: "1") { similar { id } } }'), 5, 'limit defaults to 4');
  assert.equal(costOf('{ product(id: "1") { similar(limit: 100) { id } } }'), 101);
  assert.equal(costOf('{ product(id: "1") { recommendations(first: 2, last: 9) { id } } }'), 10, 'the largest slicing argument wins');
  assert.equal(costOf('{ product(id: "1") { recommendations { id } } }'), 11, 'none given: defaultListSize');
});

test('requireOneSlicingArgument: exactly one slicing argument must have a value', () => {
  const problem = 'Field "Product.reviews" must be given exactly one of its slicing arguments: first, last.';
  assert.deepEqual(cost('{ product(id: "1") { reviews { id } } }'), { cost: 11, problems: [problem] });
  assert.deepEqual(cost('{ product(id: "1") { reviews(first: 1, last: 2) { id } } }'), { cost: 3, problems: [problem] });
  assert.deepEqual(
    cost('query($n: Int) { product(id: "1") { reviews(first: $n) { id } } }', { variables: {} }).problems,
    [problem],
    'a variable without a value is no value',
  );
});

test('@cost on a field replaces its type weight per element; @cost on arguments is added when they are given', () => {
  assert.equal(costOf('{ search(term: "x") { id } }'), 3 * 5 + 7);
  assert.equal(costOf('{ search(term: "x", exact: true) { id image { url } } }'), 3 * (5 + 3) + 7 + 1);
});

test('sizedFields: a connection passes its slicing size to its edges', () => {
  assert.equal(costOf('{ product(id: "1") { history(first: 20) { total edges { node { id } } } } }'), 1 + 1 + 20 * (1 + 1));
});

test('fragments count where they are spread; cycles and unknown fields count nothing', () => {
  const fragment = 'fragment P on Product { id related { id } }';
  assert.equal(costOf(`{ a: product(id: "1") { ...P } b: product(id: "2") { ...P } } ${fragment}`), 2 * (1 + 50));
  assert.equal(costOf('{ product(id: "1") { ... on Product { image { url } } } }'), 4);
  assert.equal(costOf('{ node(id: "1") { id ... on Product { related { id } } } }'), 1 + 50);
  assert.equal(
    costOf('{ product(id: "1") { ...A } } fragment A on Product { related { ...B } } fragment B on Product { related { ...A } }'),
    1 + 50 * (1 + 50),
  );
  assert.equal(costOf('{ product(id: "1") { nope { id } } }'), 1);
});

test('the named operation is measured; introspection costs nothing', () => {
  const document = 'query Cheap { product(id: "1") { id } } query Dear { products { id } }';
  assert.equal(costOf(document, { operationName: 'Dear' }), 10);
  assert.equal(costOf(document, { operationName: 'Cheap' }), 1);
  assert.equal(costOf('{ __schema { types { fields { name } } } }'), 0);
});

test('the model takes the highest weight a field or type has in any registered schema', () => {
  const other = buildSchema(
    `${directives}\n type Image @cost(weight: 9) { url: String! } type Query { search(term: String! @cost(weight: 1)): [Image] @cost(weight: 8) @listSize(assumedSize: 100) }`,
  );
  const merged = buildCostModel([schema, other]);
  assert.equal(merged.typeWeights.get('Image'), 9);
  assert.deepEqual(merged.fields.get('Query.search'), {
    weight: 8,
    argumentWeights: { term: 7, exact: 1 },
    listSize: { assumedSize: 3, slicingArguments: [], sizedFields: [], requireOneSlicingArgument: false },
  });
});

/** `F0` spreads `F1` twice, ... down to `F<depth>`, inside a connection sized by `history(first: 5)`. */
function fanOutQuery(depth: number): string {
  const spreads = Array.from({ length: depth }, (_, level) => `fragment F${level} on ProductConnection { ...F${level + 1} ...F${level + 1} }`);
  return `{ product(id: "1") { history(first: 5) { ...F0 } } } ${spreads.join(' ')} fragment F${depth} on ProductConnection { total edges { node { id } } }`;
}

test('fragments spreading the next one twice, 40 deep, in a connection sized by its slicing argument: measured exactly, in the time of the document', () => {
  // 10 per leaf fragment (edges: 5 × (ProductEdge 1 + Product 1)), doubled at each level, plus
  // history and product. 40 deep, measured in a child process with a time bound: a fragment
  // measured once per spread would take days, and block this process's own timers with it.
  assert.equal(costOf(fanOutQuery(3)), 2 + 10 * 2 ** 3);
  const module = (file: string) => JSON.stringify(new URL(file, import.meta.url).href);
  const code = `
    import { buildSchema, parse } from 'graphql';
    import { computeCost } from ${module('../src/limits/compute-cost.ts')};
    import { buildCostModel } from ${module('../src/limits/cost-model.ts')};
    const schema = buildSchema(${JSON.stringify(`${directives}\n${sdl}`)});
    const { cost } = computeCost(parse(${JSON.stringify(fanOutQuery(40))}), { schema, model: buildCostModel([schema]), defaultListSize: 10 });
    process.stdout.write(String(cost));`;
  const cwd = fileURLToPath(new URL('..', import.meta.url));
  const output = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', code], { cwd, timeout: 60_000, encoding: 'utf8' });
  assert.equal(Number(output), 2 + 10 * 2 ** 40);
});
