import { isAsyncIterable } from '@graphql-tools/utils';
import { GraphQLError, Lexer, Source, TokenKind, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { LRUCache } from 'lru-cache';
import { coerceOperationVariables } from '../execution/coerce-operation-variables.ts';
import type { Plugin } from 'graphql-yoga';
import { consumerOf } from '../auth/consumer.ts';
import { gatewayError } from '../errors.ts';
import { collectArgumentBounds, findOutOfBounds } from '../limits/argument-bounds.ts';
import { computeCost } from '../limits/compute-cost.ts';
import { buildCostModel } from '../limits/cost-model.ts';
import { introspectionAllowed, IntrospectionRefusedRule } from '../limits/introspection-policy.ts';
import { costError, inputError, limitError } from '../limits/limit-error.ts';
import { recordOperationCost } from '../limits/operation-cost.ts';
import type { NormalizedLimits } from '../limits/limits-config.ts';
import { measureOperations } from '../limits/measure-operation.ts';
import type { LoadedSource } from '../sources/loaded-source.ts';

/**
 * Bounds what one request may ask for, each at the earliest point it can be known, so a refused
 * operation costs little and reaches no service:
 * - request parsing: batches over `maxBatchedOperations` (400 `BAD_REQUEST`);
 * - params: documents over `maxTokens`, counted by the lexer before the parser builds anything;
 * - validation: depth, aliases, root fields and directives, measured before graphql-js's own rules
 *   run (some are quadratic in the aliases), and the introspection policy for the request's consumer;
 * - execution: argument values outside their `@constraint` bounds (400 `BAD_USER_INPUT`, naming the
 *   argument, the range and the value), then the static cost; both depend on the request's
 *   variables and so cannot be part of the validation result Yoga caches per document.
 * Every document limit refuses with `GRAPHQL_VALIDATION_FAILED` and a message naming the measured
 * value and the limit. Hidden field suggestions drop "Did you mean ...?" from every error message
 * on the way out (validation, variable coercion and upstream errors alike).
 */
export function useOperationLimits(limits: NormalizedLimits, schema: GraphQLSchema, sources: readonly LoadedSource[]): Plugin {
  const production = process.env['NODE_ENV'] === 'production';
  const measuredWithVariables = new WeakMap<DocumentNode, LRUCache<string, OperationMeasures>>();
  const model = buildCostModel(sources.map((source) => source.subschema.schema));
  const bounds = collectArgumentBounds(sources);
  const hideSuggestions = limits.fieldSuggestions === 'off' || (limits.fieldSuggestions === 'auto' && production);
  return {
    onRequestParse() {
      return {
        onRequestParseDone({ requestParserResult }) {
          const count = Array.isArray(requestParserResult) ? requestParserResult.length : 1;
          // With batching off Yoga refuses any array itself ("Batching is not supported.").
          if (limits.maxBatchedOperations > 1 && count > limits.maxBatchedOperations) {
            throw gatewayError('BAD_REQUEST', `Batch of ${count} operations exceeds the limit of ${limits.maxBatchedOperations}.`);
          }
        },
      };
    },
    onParams({ params, setResult }) {
      if (typeof params.query === 'string' && exceedsTokens(params.query, limits.maxTokens)) {
        setResult({ errors: [limitError(`Query token count exceeds the limit of ${limits.maxTokens}.`)] });
      }
    },
    onValidate({ params: { documentAST }, context, setResult, addValidationRule }) {
      const errors = structureErrors(documentAST, limits);
      if (errors.length > 0) return setResult(errors);
      if (!introspectionAllowed(limits.introspection, consumerOf(context.request), production)) addValidationRule(IntrospectionRefusedRule);
    },
    onExecute({ args, setResultAndStopExecution }) {
      const variables = coerceOperationVariables(schema, args.document, args.operationName, args.variableValues)?.coerced;
      // Execution refuses variables that do not coerce (400 BAD_USER_INPUT) before any field runs.
      if (!variables) return;
      const { outOfBounds, cost, problems } = measureOnce(measuredWithVariables, args.document, args.operationName, variables, () => ({
        outOfBounds: findOutOfBounds(args.document, { schema, bounds, operationName: args.operationName, variables }),
        ...computeCost(args.document, { schema, model, operationName: args.operationName, variables, defaultListSize: limits.defaultListSize }),
      }));
      if (outOfBounds.length > 0) return setResultAndStopExecution({ errors: outOfBounds.map(({ message, node }) => inputError(message, node)) });
      recordOperationCost(args.contextValue as object, cost);
      const errors = problems.map((problem) => limitError(problem));
      if (cost > limits.maxCost) errors.push(costError(cost, limits.maxCost));
      if (errors.length > 0) setResultAndStopExecution({ errors });
    },
    onResultProcess({ result, setResult }) {
      if (!hideSuggestions || isAsyncIterable(result)) return;
      const results = Array.isArray(result) ? result : [result];
      if (!results.some((item) => item.errors?.some((error) => suggestion.test(error.message)))) return;
      const hidden = results.map((item) => (item.errors ? { ...item, errors: item.errors.map(withoutSuggestion) } : item));
      setResult(Array.isArray(result) ? hidden : (hidden[0] as ExecutionResult));
    },
  };
}

/** Whether `query` has more than `max` tokens; stops lexing there. A string has no more tokens than characters. */
function exceedsTokens(query: string, max: number): boolean {
  if (query.length <= max) return false;
  const lexer = new Lexer(new Source(query));
  try {
    for (let count = 1; lexer.advance().kind !== TokenKind.EOF; count += 1) if (count > max) return true;
  } catch {
    // A lexical error: the parser reports it.
  }
  return false;
}

/** What {@link useOperationLimits} measures of an operation with its variables. */
interface OperationMeasures {
  outOfBounds: ReturnType<typeof findOutOfBounds>;
  cost: number;
  problems: string[];
}

/** Longest operation name and variables, as JSON, whose measures are remembered. */
const maxMeasuredKey = 2048;

/**
 * Measures by document and variable values (the most recent 16 per document): for one gateway's
 * schema and limits they are a function of both alone, and clients repeat them.
 */
function measureOnce(
  cache: WeakMap<DocumentNode, LRUCache<string, OperationMeasures>>,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown>,
  measure: () => OperationMeasures,
): OperationMeasures {
  let known = cache.get(document);
  if (!known) cache.set(document, (known = new LRUCache({ max: 16 })));
  const key = `${operationName ?? ''}\u0000${JSON.stringify(variables)}`;
  // Only small keys are kept: large variable values would make the cache a memory sink.
  if (key.length > maxMeasuredKey) return measure();
  let measures = known.get(key);
  if (!measures) known.set(key, (measures = measure()));
  return measures;
}

/** Measures by document: Yoga caches parsed documents per query text, so each is measured once. */
const measured = new WeakMap<DocumentNode, ReturnType<typeof measureOperations>>();

function structureErrors(document: DocumentNode, limits: NormalizedLimits): GraphQLError[] {
  let measures = measured.get(document);
  if (!measures) measured.set(document, (measures = measureOperations(document)));
  return measures.flatMap(({ operation, measures }) => {
    const checks: Array<[number, number, string]> = [
      [measures.depth, limits.maxDepth, 'depth'],
      [measures.aliases, limits.maxAliases, 'alias count'],
      [measures.rootFields, limits.maxRootFields, 'root field count'],
      [measures.directives, limits.maxDirectives, 'directive count'],
    ];
    return checks
      .filter(([value, max]) => value > max)
      .map(([value, max, what]) => limitError(`Query ${what} ${value} exceeds the limit of ${max}.`, operation));
  });
}

const suggestion = / ?Did you mean [^?]*\?/;

function withoutSuggestion(error: GraphQLError): GraphQLError {
  if (!suggestion.test(error.message)) return error;
  const { nodes, source, positions, path, originalError, extensions } = error;
  return new GraphQLError(error.message.replace(new RegExp(suggestion, 'g'), ''), { nodes, source, positions, path, originalError, extensions });
}
