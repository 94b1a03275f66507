import { isAsyncIterable } from '@graphql-tools/utils';
import { GraphQLError, type DocumentNode, type ExecutionArgs, type ExecutionResult, type GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { coerceOperationVariables } from '../execution/coerce-operation-variables.ts';
import type { ClientViews } from './client-views.ts';
import type { ComputedView } from './computed-fields.ts';
import { fillComputedFields, rewriteComputedFields, type RewrittenDocument } from './run-computed-fields.ts';

/**
 * Serves each request on its profile's view. `onEnveloped` gives the request the view's schema,
 * so parsing is shared but validation (a field outside the view is an unknown field, and the
 * suggestions graphql-js makes can only name fields of the view) and introspection see the view
 * alone; Yoga caches validation per schema and document, so views never share a verdict.
 *
 * Its `computed` part goes after the query plans (its `setExecuteFn` is then the outermost): an
 * operation selecting computed fields executes a document where each is replaced by the fields it
 * needs (see `rewriteComputedFields`); they are filled in from those after. It also keeps the names
 * of hidden types out of the errors of objects the view cannot show (see `withoutHiddenNames`).
 */
export function useClientViews(views: ClientViews): Plugin & { computed: Plugin } {
  const rewrites = new WeakMap<ComputedView, WeakMap<DocumentNode, RewrittenDocument | null>>();
  const rewriteOnce = (view: ComputedView, document: DocumentNode) => {
    let known = rewrites.get(view);
    if (!known) rewrites.set(view, (known = new WeakMap()));
    let rewritten = known.get(document);
    if (rewritten === undefined) known.set(document, (rewritten = rewriteComputedFields(view, document) ?? null));
    return rewritten;
  };
  const computed: Plugin = {
    onExecute({ args, executeFn, setExecuteFn }) {
      const view = views.bySchema(args.schema);
      if (!view || view.schema === views.graph) return;
      const { computed: adapters } = view;
      setExecuteFn(async (executed: ExecutionArgs) => {
        const rewritten = adapters && rewriteOnce(adapters, executed.document);
        const result = await executeFn(rewritten ? { ...executed, document: rewritten.document } : executed);
        if (isAsyncIterable(result)) return result;
        const answered = withoutHiddenNames(result as ExecutionResult, view.schema);
        if (!adapters || !rewritten) return answered;
        const variables =
          coerceOperationVariables(adapters.schema, executed.document, executed.operationName, executed.variableValues as Record<string, unknown> | undefined)
            ?.coerced ?? {};
        return fillComputedFields(answered, {
          view: adapters,
          document: executed.document,
          operationName: executed.operationName,
          variables,
          helpers: rewritten.helpers,
        });
      });
    },
  };
  return {
    computed,
    onEnveloped({ context, setSchema }) {
      const request = (context as { request?: Request } | undefined)?.request;
      const view = request && views.viewOf(request);
      if (view) setSchema(view.schema);
    },
  };
}

const unknownRuntimeType = /^Abstract type "(\w+)" was resolved to a type "(\w+)" that does not exist inside the schema\.$/;

/**
 * An object of a type the view hides, met where an interface or union was asked, is null with
 * graphql-js's error (as for `@inaccessible` types), whose message would name the hidden type: it
 * leaves without the name.
 */
function withoutHiddenNames(result: ExecutionResult, schema: GraphQLSchema): ExecutionResult {
  if (!result.errors?.some((error) => unknownRuntimeType.test(error.message))) return result;
  const errors = result.errors.map((error) => {
    const [, abstract, runtime = ''] = unknownRuntimeType.exec(error.message) ?? [];
    if (abstract === undefined || schema.getType(runtime)) return error;
    return new GraphQLError(`Abstract type "${abstract}" was resolved to a type this client's schema does not have.`, {
      nodes: error.nodes,
      path: error.path,
      extensions: error.extensions,
    });
  });
  return { ...result, errors };
}
