import {
  astFromValue,
  getNamedType,
  getNullableType,
  isAbstractType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  print,
  type GraphQLAbstractType,
  type GraphQLField,
  type GraphQLInterfaceType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';

/** A stream of floats in [0, 1): one operation's randomness (see `mulberry32`). */
export type Random = () => number;

/** What an operation exercises; a run counts the operations showing each. */
export type Feature =
  | 'alias'
  | 'alias-on-field-name'
  | 'inline-fragment'
  | 'untyped-inline-fragment'
  | 'named-fragment'
  | 'abstract-type'
  | 'variable-argument'
  | 'literal-argument'
  | 'default-argument'
  | 'variable-default'
  | 'skip'
  | 'include'
  | 'skipped-key'
  | 'list'
  | 'typename';

/** A valid operation with its variables and what it exercises. */
export interface GeneratedOperation {
  query: string;
  variables: Record<string, unknown>;
  features: Set<Feature>;
}

/** How {@link generateOperation} writes operations over one schema. */
export interface GeneratorOptions {
  schema: GraphQLSchema;
  /**
   * Argument values by coordinate (`Query.user`); a field with a required argument and no entry
   * here is never selected. Each value is written as a literal or as a variable, at random.
   * @example { 'Query.user': (random) => ({ id: String(1 + Math.floor(random() * 50)) }) }
   */
  arguments?: Record<string, (random: Random) => Record<string, unknown>>;
  /** Nesting depth from which only leaf fields are selected. @default 4 */
  maxDepth?: number;
  /** Chance that a field is selected. @default 0.55 */
  fieldChance?: number;
  /** Whether an alias may take the name of another field of the type (`id: category`). @default true */
  aliasOtherFields?: boolean;
  /** Field names that are keys: one that may be skipped marks the operation `skipped-key`. @default ['id'] */
  keyFields?: readonly string[];
  /** Whether `@skip`/`@include` may stand on a key field or on a fragment holding one. @default true */
  skipKeys?: boolean;
}

type Composite = GraphQLObjectType | GraphQLInterfaceType;

/**
 * A random valid operation over `options.schema`: fields chosen at random to `maxDepth`, aliases
 * (onto other fields' names too, when allowed), arguments as literals or variables, named and inline
 * fragments (typed and untyped), fragments on every possible type of abstract fields, and
 * `@skip`/`@include` on fields, fragments and spreads with variable or literal conditions.
 */
export function generateOperation(options: GeneratorOptions, random: Random): GeneratedOperation {
  const { schema, arguments: argumentsOf = {}, maxDepth = 4, fieldChance = 0.55, aliasOtherFields = true, keyFields = ['id'], skipKeys = true } = options;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const features = new Set<Feature>();
  const definitions: string[] = [];
  const variables: Record<string, unknown> = {};
  const fragments: string[] = [];

  /** A new variable holding `value`, or declaring it as its default (`$v0: Int = 3`, no value sent). */
  const variable = (type: string, value: unknown, byDefault?: string): string => {
    const name = `v${definitions.length}`;
    definitions.push(`$${name}: ${type}${byDefault === undefined ? '' : ` = ${byDefault}`}`);
    if (byDefault === undefined) variables[name] = value;
    return `$${name}`;
  };
  const condition = (onKey = false): string => {
    if (random() >= 0.15 || (onKey && !skipKeys)) return '';
    const directive = pick(['skip', 'include'] as const);
    features.add(directive);
    if (onKey) features.add('skipped-key');
    const value = random() < 0.5;
    return ` @${directive}(if: ${random() < 0.8 ? variable('Boolean!', value) : String(value)})`;
  };
  const argumentText = (type: Composite, field: GraphQLField<unknown, unknown>): string => {
    const values = argumentsOf[`${type.name}.${field.name}`]?.(random);
    if (!values) return '';
    const written = field.args.flatMap((argument) => {
      if (!(argument.name in values)) return [];
      if (argument.defaultValue !== undefined && random() < 0.15) {
        features.add('default-argument');
        return [];
      }
      const literal = astFromValue(values[argument.name], argument.type);
      if (!literal)
        throw new Error(
          `differential generator: ${JSON.stringify(values[argument.name])} is no value of ${String(argument.type)} (${type.name}.${field.name}(${argument.name}:))`,
        );
      const roll = random();
      if (roll >= 0.45) {
        features.add('literal-argument');
        return [`${argument.name}: ${print(literal)}`];
      }
      const byDefault = roll < 0.1 && !isNonNullType(argument.type) ? print(literal) : undefined;
      features.add(byDefault === undefined ? 'variable-argument' : 'variable-default');
      return [`${argument.name}: ${variable(String(argument.type), values[argument.name], byDefault)}`];
    });
    return written.length > 0 ? `(${written.join(', ')})` : '';
  };
  const usable = (type: Composite, field: GraphQLField<unknown, unknown>) =>
    `${type.name}.${field.name}` in argumentsOf ||
    !field.args.some((argument) => argument.type.toString().endsWith('!') && argument.defaultValue === undefined);
  const wrap = (typeName: string, head: string, onKey: boolean): string => {
    const roll = random();
    if (roll < 0.08) {
      features.add('inline-fragment');
      return `... on ${typeName}${condition(onKey)} { ${head} }`;
    }
    if (roll < 0.11) {
      features.add('untyped-inline-fragment');
      return `...${condition(onKey)} { ${head} }`;
    }
    return roll < 0.19 ? `...${namedFragment(typeName, head)}${condition(onKey)}` : head;
  };
  const responseName = (type: Composite, name: string, used: Set<string>): string | undefined => {
    let alias = name;
    if (random() < 0.25) {
      const others = Object.keys(type.getFields()).filter((other) => other !== name && !used.has(other));
      const onField = aliasOtherFields && others.length > 0 && random() < 0.4;
      alias = onField ? pick(others) : `a${used.size}_${name}`;
      features.add(onField ? 'alias-on-field-name' : 'alias');
    }
    if (used.has(alias)) return undefined;
    used.add(alias);
    return alias === name ? name : `${alias}: ${name}`;
  };
  const subselection = (type: GraphQLNamedType, depth: number): string => {
    if (isObjectType(type)) return ` { ${selection(type, depth, new Set())} }`;
    if (isAbstractType(type)) return ` { ${abstractSelection(type, depth)} }`;
    return '';
  };
  const selection = (type: Composite, depth: number, used: Set<string>): string => {
    const fields = Object.values(type.getFields()).filter((field) => usable(type, field) && (depth < maxDepth || isLeafType(getNamedType(field.type))));
    const parts: string[] = [];
    for (const field of fields) {
      if (random() >= fieldChance) continue;
      const name = responseName(type, field.name, used);
      if (name === undefined) continue;
      if (isListType(getNullableType(field.type))) features.add('list');
      const isKey = keyFields.includes(field.name);
      const head = `${name}${argumentText(type, field)}${condition(isKey)}${subselection(getNamedType(field.type), depth + 1)}`;
      parts.push(wrap(type.name, head, isKey));
    }
    if (parts.length === 0 || random() < 0.05) {
      // A second `__typename` merges with the first, so it is always valid.
      const leaf = fields.find((field) => isLeafType(getNamedType(field.type)) && field.args.length === 0 && !used.has(field.name));
      const fallback = leaf && random() < 0.5 ? leaf.name : '__typename';
      if (fallback === '__typename') features.add('typename');
      parts.push(fallback);
      used.add(fallback);
    }
    return parts.join(' ');
  };
  const abstractSelection = (type: GraphQLAbstractType, depth: number): string => {
    features.add('abstract-type');
    const used = new Set<string>();
    const parts: string[] = [];
    if (random() < 0.5) {
      parts.push('__typename');
      used.add('__typename');
      features.add('typename');
    }
    if (isInterfaceType(type) && random() < 0.7) parts.push(selection(type, depth, used));
    for (const possible of schema.getPossibleTypes(type)) {
      if (random() < 0.35) continue;
      const inner = selection(possible, depth, used);
      // A condition on a possible type's fragment counts as one on a key: the fragment may hold one.
      parts.push(random() < 0.25 ? `...${namedFragment(possible.name, inner)}${condition(true)}` : `... on ${possible.name}${condition(true)} { ${inner} }`);
    }
    if (parts.length === 0) parts.push('__typename');
    return parts.join(' ');
  };
  const namedFragment = (typeName: string, body: string): string => {
    features.add('named-fragment');
    fragments.push(`fragment F${fragments.length} on ${typeName} { ${body} }`);
    return `F${fragments.length - 1}`;
  };

  const body = selection(schema.getQueryType() as GraphQLObjectType, 0, new Set());
  const head = definitions.length > 0 ? `query Differential(${definitions.join(', ')}) ` : random() < 0.5 ? 'query Differential ' : '';
  return { query: [`${head}{ ${body} }`, ...fragments].join('\n'), variables, features };
}
