import { getDirective } from '@graphql-tools/utils';
import { getNamedType, isListType, isNonNullType, isObjectType, type GraphQLField, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { parseUrlTemplate, type Placeholder, type UrlTemplate } from './url-template.ts';

const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** How one field of a REST source resolves, read from its directives. */
export type RestMapping =
  | {
      kind: 'http';
      method: (typeof methods)[number];
      template: UrlTemplate;
      /** The argument sent as the JSON body. */
      body?: Placeholder;
      /** Property path into the response. */
      select: string[];
      /** Present when calls go through a batch endpoint. */
      batch?: { key: string; by: Placeholder };
    }
  | { kind: 'ref'; from: string[]; key: string }
  | { kind: 'stub'; keyField: string; argument: string };

/** Every mapped field and the problems found; problems name the field (`Type.field`) and the directive. */
export interface RestMappings {
  mappings: Map<GraphQLField<unknown, unknown>, RestMapping>;
  problems: string[];
}

/** Reads and checks the `@http`, `@ref` and `@stub` directives of a REST source's schema. */
export function readRestMappings(schema: GraphQLSchema): RestMappings {
  const mappings = new Map<GraphQLField<unknown, unknown>, RestMapping>();
  const problems: string[] = [];
  const rootTypes = new Set([schema.getQueryType(), schema.getMutationType()].filter(Boolean));
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const coordinate = `${type.name}.${field.name}`;
      try {
        const mapping = readFieldMapping(schema, type, field, rootTypes.has(type));
        if (mapping) mappings.set(field, mapping);
        else if (rootTypes.has(type)) throw new TypeError('has no @http or @stub directive, so the gateway cannot resolve it');
      } catch (error) {
        problems.push(`${coordinate} ${(error as Error).message}`);
      }
    }
  }
  return { mappings, problems };
}

function readFieldMapping(schema: GraphQLSchema, type: GraphQLObjectType, field: GraphQLField<unknown, unknown>, isRoot: boolean): RestMapping | undefined {
  const [http] = getDirective(schema, field, 'http') ?? [];
  const [ref] = getDirective(schema, field, 'ref') ?? [];
  const [stub] = getDirective(schema, field, 'stub') ?? [];
  if ([http, ref, stub].filter(Boolean).length > 1) throw new TypeError('has more than one of @http, @ref and @stub; expected one');
  if (http) return readHttp(type, field, isRoot, http);
  if (ref) return readRef(field, ref as { from: string; key: string });
  if (stub) return readStub(schema, type, field);
  return undefined;
}

function readHttp(type: GraphQLObjectType, field: GraphQLField<unknown, unknown>, isRoot: boolean, http: Record<string, unknown>): RestMapping {
  const given = methods.filter((method) => typeof http[method] === 'string');
  const [method] = given;
  if (given.length !== 1 || !method)
    throw new TypeError(`@http: expected exactly one of ${methods.join(', ')}, got ${given.length === 0 ? 'none' : given.join(' and ')}`);
  const templateText = http[method] as string;
  const where = `@http(${method}: "${templateText}")`;
  if (!templateText.startsWith('/')) throw new TypeError(`${where}: expected a path starting with "/"`);
  const template = wrap(where, () => parseUrlTemplate(templateText));
  const checkPlaceholder = (placeholder: Placeholder) => {
    const [name = ''] = placeholder.path;
    if (placeholder.from === 'args' && !field.args.some((arg) => arg.name === name)) {
      throw new TypeError(
        `${where}: {${placeholder.text}} names argument "${name}", which ${field.name} does not have (arguments: ${field.args.map((arg) => arg.name).join(', ') || 'none'})`,
      );
    }
    if (placeholder.from === 'parent' && (isRoot || !(name in type.getFields()))) {
      throw new TypeError(
        `${where}: {${placeholder.text}} names field "${name}", which ${type.name} does not have${isRoot ? ' (a root field has no parent)' : ''}`,
      );
    }
  };
  template.placeholders.forEach(checkPlaceholder);

  let body: Placeholder | undefined;
  if (typeof http['body'] === 'string') {
    if (method === 'GET') throw new TypeError(`${where}: a GET call has no body; remove body or use POST, PUT or PATCH`);
    const parsed = wrap(where, () => parseUrlTemplate(http['body'] as string)).placeholders;
    if (parsed.length !== 1 || http['body'] !== `{${parsed[0]?.text}}`)
      throw new TypeError(`${where}: body "${http['body']}" must be one placeholder such as "{args.input}"`);
    body = parsed[0];
    if (body) checkPlaceholder(body);
  }

  let batch: { key: string; by: Placeholder } | undefined;
  if (typeof http['batchKey'] === 'string') {
    const byText = typeof http['batchBy'] === 'string' ? http['batchBy'] : template.placeholders.length === 1 ? template.placeholders[0]?.text : undefined;
    const by = template.placeholders.find((placeholder) => placeholder.text === byText);
    if (!by)
      throw new TypeError(
        `${where}: batchKey needs batchBy naming one of its placeholders (${template.placeholders.map((p) => p.text).join(', ') || 'none'}), got ${byText ?? 'nothing'}`,
      );
    if (method !== 'GET') throw new TypeError(`${where}: batchKey works with GET batch endpoints only`);
    if (!templateText.includes('?') || templateText.indexOf(`{${by.text}}`) < templateText.indexOf('?')) {
      throw new TypeError(`${where}: the batched placeholder {${by.text}} must be in the query string, where keys are joined with commas`);
    }
    batch = { key: http['batchKey'], by };
  } else if (typeof http['batchBy'] === 'string') {
    throw new TypeError(`${where}: batchBy needs batchKey, the field of each returned item that holds its key`);
  }
  const select = typeof http['select'] === 'string' && http['select'].length > 0 ? http['select'].split('.') : [];
  return { kind: 'http', method, template, ...(body ? { body } : {}), select, ...(batch ? { batch } : {}) };
}

function readRef(field: GraphQLField<unknown, unknown>, ref: { from: string; key: string }): RestMapping {
  const target = getNamedType(field.type);
  if (!isObjectType(target) || !(ref.key in target.getFields())) {
    throw new TypeError(`@ref(from: "${ref.from}", key: "${ref.key}"): expected an object type with a field "${ref.key}", got ${String(field.type)}`);
  }
  return { kind: 'ref', from: ref.from.split('.'), key: ref.key };
}

function readStub(schema: GraphQLSchema, type: GraphQLObjectType, field: GraphQLField<unknown, unknown>): RestMapping {
  const [merge] = (getDirective(schema, field, 'merge') ?? []) as Array<{ keyField?: string; keyArg?: string }>;
  if (type !== schema.getQueryType() || !merge) throw new TypeError('@stub: expected a Query field that also has @merge');
  const argument = merge.keyArg ?? field.args[0]?.name;
  const target = getNamedType(field.type);
  const unwrapped = isNonNullType(field.type) ? field.type.ofType : field.type;
  if (!argument || !isObjectType(target) || !isListType(unwrapped))
    throw new TypeError(`@stub: expected a list of objects fetched by a list of keys, got ${field.name}: ${String(field.type)}`);
  return { kind: 'stub', keyField: merge.keyField ?? 'id', argument };
}

function wrap<T>(where: string, build: () => T): T {
  try {
    return build();
  } catch (error) {
    throw new TypeError(`${where}: ${(error as Error).message}`);
  }
}
