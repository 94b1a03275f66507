import { Kind, parse, parseType, type SelectionSetNode, type TypeNode } from 'graphql';
import { isPlainObject, show } from '../config/config-checker.ts';
import type { FeatureContext } from '../config/feature-options.ts';
import { normalizeLimitsOptions, type NormalizedLimits } from '../limits/limits-config.ts';
import { normalizeTrustedDocumentsOptions, type NormalizedTrustedDocuments } from '../trusted-documents/trusted-documents-config.ts';
import type { ComputedFieldConfig } from './clients-config.ts';

/** A computed field of a profile, checked. */
export interface NormalizedComputedField {
  /** `Product.mobileThumbnail`. */
  coordinate: string;
  typeName: string;
  fieldName: string;
  type: TypeNode;
  /** What it needs of its object, parsed. */
  requires: SelectionSetNode;
  resolve: ComputedFieldConfig['resolve'];
  timeoutMs: number;
  description?: string;
  /** The config key that declared it, for problems found once the schema is known. */
  key: string;
}

/** A client profile with its options checked. */
export interface NormalizedClientProfile {
  name: string;
  /** `config.clients.<name>`: problems found once the schema is known name it. */
  key: string;
  consumers: readonly string[];
  claim?: { name: string; value: string };
  names: readonly string[];
  /** Tags of `include`; `undefined` includes everything. */
  includeTags?: readonly string[];
  excludeTags: readonly string[];
  excludeCoordinates: readonly string[];
  fields: readonly NormalizedComputedField[];
  /** The profile's own trusted documents, when it declares them. */
  trustedDocuments?: NormalizedTrustedDocuments;
  /** The profile's limits (the gateway's, with the profile's options over them), when it declares any. */
  limits?: NormalizedLimits;
  rateLimitPlan?: string;
  /** Declared versions; `undefined` labels the first ones seen. */
  versions?: ReadonlySet<string>;
}

/** The client profiles, in declaration order, and the default. Without profiles: none, and no default. */
export interface NormalizedClients {
  profiles: readonly NormalizedClientProfile[];
  defaultProfile: NormalizedClientProfile | undefined;
}

/** What the profiles are checked against: the rest of the normalized config. */
export interface ClientsContext extends FeatureContext {
  consumers: readonly string[];
  plans: readonly string[];
  limits: NormalizedLimits;
}

const profileKeys = ['default', 'consumers', 'claim', 'names', 'include', 'exclude', 'fields', 'trustedDocuments', 'limits', 'rateLimitPlan', 'versions'];
const fieldKeys = ['type', 'requires', 'resolve', 'timeout', 'description'];
const profileName = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const coordinatePattern = /^[A-Za-z_]\w*(\.[A-Za-z_]\w*(\([A-Za-z_]\w*:\))?)?$/;

/** Checks `clients` and `defaultClient`; problems go to `context.check`. */
export function normalizeClientsOptions(raw: unknown, defaultClient: unknown, context: ClientsContext): NormalizedClients {
  const { check } = context;
  if (raw === undefined) {
    if (defaultClient !== undefined) check.fail('config.defaultClient', 'nothing without config.clients', defaultClient);
    return { profiles: [], defaultProfile: undefined };
  }
  if (!isPlainObject(raw)) {
    check.fail('config.clients', 'an object of client profiles by name', raw);
    return { profiles: [], defaultProfile: undefined };
  }
  const profiles: NormalizedClientProfile[] = [];
  const flagged: string[] = [];
  for (const [name, options] of Object.entries(raw)) {
    const key = `config.clients.${name}`;
    if (!profileName.test(name))
      check.problem(`${key}: expected a name of letters, digits, - and _ starting with a letter (at most 64), got ${JSON.stringify(name)}`);
    if (name === 'other') check.problem(`${key}: expected another name: "other" is the metrics label of callers outside the declared profiles`);
    if (!isPlainObject(options)) {
      check.fail(key, 'an object', options);
      continue;
    }
    if (options['default'] !== undefined && check.boolean(`${key}.default`, options['default'])) flagged.push(name);
    profiles.push(normalizeProfile(name, key, options, context));
  }
  let defaultName: string | undefined;
  if (flagged.length > 1) check.problem(`config.clients: expected one profile with default: true, got ${flagged.length} (${flagged.join(', ')})`);
  if (defaultClient !== undefined) {
    defaultName = check.oneOf(
      'config.defaultClient',
      defaultClient,
      profiles.map((profile) => profile.name),
    );
    if (flagged.length > 0 && !flagged.includes(defaultName))
      check.problem(`config.defaultClient: expected the profile marked default: true (${flagged.join(', ')}) or no defaultClient, got ${show(defaultClient)}`);
  } else if (flagged.length > 0) defaultName = flagged[0];
  else if (profiles.length > 0)
    check.problem(
      `config.defaultClient: expected the name of the profile callers matching none get (one of ${profiles.map((profile) => `"${profile.name}"`).join(', ')}), or default: true on one profile, got nothing`,
    );
  return { profiles, defaultProfile: profiles.find((profile) => profile.name === defaultName) };
}

function normalizeProfile(name: string, key: string, options: Record<string, unknown>, context: ClientsContext): NormalizedClientProfile {
  const { check } = context;
  check.knownKeys(key, options, profileKeys);
  const consumers = options['consumers'] === undefined ? [] : check.stringList(`${key}.consumers`, options['consumers']);
  for (const consumer of consumers) {
    if (!context.consumers.includes(consumer))
      check.problem(
        `${key}.consumers: expected names of declared consumers (config.consumers${context.consumers.length > 0 ? `: ${context.consumers.join(', ')}` : ' has none'}), got "${consumer}"`,
      );
  }
  const exclude = options['exclude'];
  if (exclude !== undefined && !isPlainObject(exclude)) check.fail(`${key}.exclude`, 'an object with tags and/or coordinates', exclude);
  const excluded = isPlainObject(exclude) ? exclude : {};
  check.knownKeys(`${key}.exclude`, excluded, ['tags', 'coordinates']);
  const excludeCoordinates = excluded['coordinates'] === undefined ? [] : check.stringList(`${key}.exclude.coordinates`, excluded['coordinates']);
  for (const coordinate of excludeCoordinates) {
    if (!coordinatePattern.test(coordinate))
      check.fail(`${key}.exclude.coordinates`, "schema coordinates such as 'Type', 'Type.field' or 'Type.field(arg:)'", coordinate);
  }
  const rateLimitPlan = options['rateLimitPlan'] === undefined ? undefined : check.oneOf(`${key}.rateLimitPlan`, options['rateLimitPlan'], context.plans);
  const versions = options['versions'] === undefined ? undefined : new Set(check.stringList(`${key}.versions`, options['versions']));
  return {
    name,
    key,
    consumers,
    ...optional('claim', normalizeClaim(options['claim'], `${key}.claim`, context)),
    names: options['names'] === undefined ? [] : check.stringList(`${key}.names`, options['names']),
    ...optional('includeTags', normalizeInclude(options['include'], `${key}.include`, context)),
    excludeTags: excluded['tags'] === undefined ? [] : check.stringList(`${key}.exclude.tags`, excluded['tags']),
    excludeCoordinates,
    fields: normalizeFields(options['fields'], `${key}.fields`, context),
    ...optional(
      'trustedDocuments',
      options['trustedDocuments'] === undefined ? undefined : normalizeTrustedDocumentsOptions(options['trustedDocuments'], context, `${key}.trustedDocuments`),
    ),
    ...optional('limits', options['limits'] === undefined ? undefined : normalizeLimitsOptions(options['limits'], context, `${key}.limits`, context.limits)),
    ...optional('rateLimitPlan', rateLimitPlan),
    ...optional('versions', versions),
  };
}

function normalizeClaim(raw: unknown, key: string, { check }: ClientsContext): NormalizedClientProfile['claim'] {
  if (raw === undefined) return undefined;
  if (!isPlainObject(raw)) {
    check.fail(key, 'an object { name, value }', raw);
    return undefined;
  }
  check.knownKeys(key, raw, ['name', 'value']);
  return { name: check.string(`${key}.name`, raw['name']), value: check.string(`${key}.value`, raw['value']) };
}

function normalizeInclude(raw: unknown, key: string, { check }: ClientsContext): string[] | undefined {
  if (raw === undefined) return undefined;
  if (!isPlainObject(raw)) {
    check.fail(key, 'an object { tags: [...] }', raw);
    return undefined;
  }
  check.knownKeys(key, raw, ['tags']);
  const tags = check.stringList(`${key}.tags`, raw['tags']);
  if (tags.length === 0) check.fail(`${key}.tags`, 'at least one tag (an empty list would include nothing)', raw['tags']);
  return tags;
}

function normalizeFields(raw: unknown, key: string, { check }: ClientsContext): NormalizedComputedField[] {
  if (raw === undefined) return [];
  if (!isPlainObject(raw)) {
    check.fail(key, "an object of computed fields by coordinate ('Type.field')", raw);
    return [];
  }
  const fields: NormalizedComputedField[] = [];
  for (const [coordinate, options] of Object.entries(raw)) {
    const fieldKey = `${key}.${coordinate}`;
    const match = /^([A-Za-z_]\w*)\.([A-Za-z_]\w*)$/.exec(coordinate);
    if (!match) check.problem(`${fieldKey}: expected a coordinate 'Type.field', got ${JSON.stringify(coordinate)}`);
    if (!isPlainObject(options)) {
      check.fail(fieldKey, 'an object { type, requires, resolve, timeout? }', options);
      continue;
    }
    check.knownKeys(fieldKey, options, fieldKeys);
    const type = parsed(() => parseType(check.string(`${fieldKey}.type`, options['type'])));
    if (!type) check.fail(`${fieldKey}.type`, "a GraphQL type such as 'String' or '[String]'", options['type']);
    else if (type.kind === Kind.NON_NULL_TYPE) check.fail(`${fieldKey}.type`, 'a nullable type (a failure is a null on the field itself)', options['type']);
    const requires = parsed(() => selectionSetOf(check.string(`${fieldKey}.requires`, options['requires'])));
    if (!requires) check.fail(`${fieldKey}.requires`, "a selection set without braces, such as 'images { url width }'", options['requires']);
    if (typeof options['resolve'] !== 'function') check.fail(`${fieldKey}.resolve`, 'a function (object) => value', options['resolve']);
    const timeoutMs = check.duration(`${fieldKey}.timeout`, options['timeout'] ?? 100, 1, 60_000);
    if (!match || !type || !requires || typeof options['resolve'] !== 'function') continue;
    fields.push({
      coordinate,
      typeName: match[1] as string,
      fieldName: match[2] as string,
      type,
      requires,
      resolve: options['resolve'] as ComputedFieldConfig['resolve'],
      timeoutMs,
      ...optional('description', typeof options['description'] === 'string' ? options['description'] : undefined),
      key: fieldKey,
    });
  }
  return fields;
}

function selectionSetOf(text: string): SelectionSetNode {
  const [operation] = parse(`{ ${text} }`, { noLocation: true }).definitions;
  if (operation?.kind !== Kind.OPERATION_DEFINITION || text.trim() === '') throw new Error('not a selection set');
  return operation.selectionSet;
}

function parsed<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
