import type { GraphQLSchema } from 'graphql';
import { ConfigError } from '../config/config-error.ts';
import type { QueryPlanner } from '../execution/create-query-planner.ts';
import type { LoadedSource } from '../sources/loaded-source.ts';
import { buildSchemaView } from './build-schema-view.ts';
import { clientOf } from './client-of.ts';
import { addComputedFields, type ComputedView } from './computed-fields.ts';
import type { NormalizedClientProfile, NormalizedClients } from './normalize-clients.ts';
import { collectSchemaTags } from './schema-tags.ts';

/** What one profile sees of one graph. */
export interface ClientView {
  profile: NormalizedClientProfile;
  /**
   * Its schema: what its documents are validated against, its introspection answers and its
   * operations execute on (the composed schema itself when the profile filters nothing). Computed
   * fields are in it but never executed: the document that runs has the fields they need in their
   * stead (see `rewriteComputedFields`).
   */
  schema: GraphQLSchema;
  /** Its computed fields, when it declares any. */
  computed?: ComputedView;
}

/** The views of one graph, built with it and swapped with it. */
export interface ClientViews {
  /** The view of the request's profile; `undefined` for a request without one. */
  viewOf(request: Request): ClientView | undefined;
  /** The view of a profile by name (`concierge compose --client`). */
  byName(name: string): ClientView | undefined;
  /** The view whose validation schema this is. */
  bySchema(schema: GraphQLSchema): ClientView | undefined;
  /** The composed graph the views are views of. */
  graph: GraphQLSchema;
  /**
   * The graph's planner facing every view: an operation runs on the planner of the schema it
   * executes on (each view has its own, over its own schema: an object of a type the view lacks,
   * met where an interface or union was asked, is then an error as for `@inaccessible` types).
   */
  planner: QueryPlanner | undefined;
}

const views = new WeakSet<GraphQLSchema>();

/** Whether a schema is a client view rather than a composed graph (schema loads are counted for graphs only). */
export function isClientView(schema: GraphQLSchema): boolean {
  return views.has(schema);
}

/**
 * Builds every profile's view of a composed graph. Every problem of every profile (unknown tags or
 * coordinates, an empty `Query`, computed fields needing fields the view lacks) is reported at
 * once in one {@link ConfigError}, so a graph no view can serve is never served (at start-up it
 * stops the gateway; on a registry or file swap the running graph stays).
 */
export function buildClientViews(
  schema: GraphQLSchema,
  sources: readonly LoadedSource[],
  clients: NormalizedClients,
  planner: QueryPlanner | undefined,
  plannerOf: (schema: GraphQLSchema) => QueryPlanner | undefined,
): ClientViews | undefined {
  if (clients.profiles.length === 0) return undefined;
  const tags = collectSchemaTags(sources);
  const problems: string[] = [];
  const built = new Map<string, ClientView>();
  for (const profile of clients.profiles) {
    const result = buildSchemaView(schema, tags, profile);
    if (result.problems) {
      problems.push(...result.problems);
      continue;
    }
    const computed = profile.fields.length > 0 ? addComputedFields(result.schema, profile.fields) : undefined;
    if (computed?.problems) {
      problems.push(...computed.problems);
      continue;
    }
    const view = computed?.view;
    built.set(profile.name, { profile, schema: view?.schema ?? result.schema, ...(view ? { computed: view } : {}) });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const bySchema = new Map<GraphQLSchema, ClientView>();
  const planners = new Map<GraphQLSchema, QueryPlanner | undefined>([[schema, planner]]);
  for (const view of built.values()) {
    bySchema.set(view.schema, view);
    if (view.schema !== schema) views.add(view.schema);
    if (!planners.has(view.schema)) planners.set(view.schema, planner && plannerOf(view.schema));
  }
  return {
    viewOf: (request) => {
      const client = clientOf(request);
      return client && built.get(client.profile.name);
    },
    byName: (name) => built.get(name),
    bySchema: (candidate) => bySchema.get(candidate),
    graph: schema,
    planner: planner && facing(planner, planners),
  };
}

/** One planner over several schemas: `execute` picks by the schema executed on; `plan` is the graph's. */
function facing(graph: QueryPlanner, planners: ReadonlyMap<GraphQLSchema, QueryPlanner | undefined>): QueryPlanner {
  return {
    plan: graph.plan,
    execute(args) {
      const planner = planners.get(args.schema);
      return planner ? planner.execute(args) : { reason: 'another schema' };
    },
    fallbacks() {
      const merged = new Map<string, number>();
      for (const planner of new Set(planners.values()))
        for (const [reason, count] of planner?.fallbacks() ?? []) merged.set(reason, (merged.get(reason) ?? 0) + count);
      return merged;
    },
  };
}
