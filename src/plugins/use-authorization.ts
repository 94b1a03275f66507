import { isAsyncIterable } from '@graphql-tools/utils';
import { getNamedType, type FieldNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { consumerOf, type Consumer } from '../auth/consumer.ts';
import { ConfigError } from '../config/config-error.ts';
import { gatewayError } from '../errors.ts';
import { applyDenials } from '../security/apply-denials.ts';
import { applyResultChecks, withoutKeys } from '../security/apply-result-checks.ts';
import { isObjectPolicy, type AuthorizationPolicy, type NormalizedAuthorization, type ObjectPolicy, type ObjectSource, type PolicyInput } from '../security/authorization-config.ts';
import type { AuthorizationRules, Requirement } from '../security/collect-authorization-rules.ts';
import { readPolicyRequires, type PolicyRequires } from '../security/read-policy-requires.ts';
import { restrictDocument, type Decide, type Deferred, type FieldVisit, type Verdict } from '../security/restrict-document.ts';

/**
 * Field and object authorization from the registered schemas. Fields the caller may not read are
 * cut from the document before execution (so no service receives them), then put back into the
 * result as `null` with `UNAUTHENTICATED` (no caller, where one is needed) or `FORBIDDEN` on their
 * paths. Object policies the request alone cannot decide are decided on the result: the fields they
 * read are added under internal aliases, and the refused objects (or fields) become `null` with
 * their errors.
 *
 * The order matters for the response cache, which comes after this plugin: its answer on a hit,
 * like execution's, passes through `onExecuteDone` here, so every answer is decided for the caller
 * it goes to. The internal fields must therefore be in what the cache stores: they leave the
 * answer only in `onExecutionResult`, which runs after every plugin's `onExecuteDone`. (A refused
 * answer has errors, and the cache never stores one.)
 */
export function useAuthorization(rules: AuthorizationRules, { policies }: NormalizedAuthorization): Plugin {
  const missing = [...rules.policyNames].filter((name) => !policies[name]);
  if (missing.length > 0) {
    throw new ConfigError(missing.map((name) => `config.authorization.policies.${name}: expected a function or object policy for @policy "${name}" used in the registered schemas, found none`));
  }
  let requires: PolicyRequires | undefined;
  const internalKeys = new WeakMap<object, ReadonlySet<string>>();
  return {
    onSchemaChange({ schema }) {
      requires = readPolicyRequires(schema, rules, policies);
    },
    async onExecute({ args }) {
      if (rules.fields.size === 0 && rules.types.size === 0) return;
      requires ??= readPolicyRequires(args.schema, rules, policies);
      const { request } = args.contextValue as { request: Request };
      const decide = createDecider(rules, { consumer: consumerOf(request), request, policies, requires });
      const restricted = await restrictDocument(args.schema, args.document, args.operationName, decide, args.variableValues ?? {});
      if (!restricted) return;
      args.document = restricted.document;
      if (restricted.internalKeys.size > 0) internalKeys.set(args.contextValue as object, restricted.internalKeys);
      return {
        async onExecuteDone({ result, setResult }) {
          if (isAsyncIterable(result)) {
            // A stream (subscription, @defer) is not decided object by object: refused whole when it would have to be.
            if (restricted.checks.length > 0) setResult({ errors: [gatewayError('FORBIDDEN', 'Object-level policies decide whole results, not streams.')] });
            return;
          }
          const decided = await applyResultChecks(result, restricted.checks);
          setResult(restricted.denials.length > 0 ? applyDenials(decided, restricted.denials) : decided);
        },
      };
    },
    onExecutionResult({ result, setResult, context }) {
      const keys = internalKeys.get(context);
      if (keys && result && 'data' in result) setResult({ ...result, data: withoutKeys(result.data, keys) });
    },
  };
}

interface Caller {
  consumer: Consumer | undefined;
  request: Request;
  policies: Record<string, AuthorizationPolicy>;
  requires: PolicyRequires;
}

function createDecider(rules: AuthorizationRules, caller: Caller): Decide {
  return async (visit) => {
    const deferred: Deferred[] = [];
    const own = rules.fields.get(visit.coordinate);
    const ofType = rules.types.get(getNamedType(visit.field.type).name);
    for (const [requirement, on] of [[own, 'parent'], [ofType, 'self']] as const) {
      if (!requirement) continue;
      const decision = await decideRequirement(requirement, on, visit, caller);
      if (!Array.isArray(decision)) return decision;
      deferred.push(...decision);
    }
    return deferred.length > 0 ? { deferred } : undefined;
  };
}

/** A refusal, or the decisions left to the result (none: allowed). */
async function decideRequirement({ authenticated, scopes, policies: policyLists }: Requirement, on: Deferred['on'], visit: FieldVisit, caller: Caller): Promise<Verdict | Deferred[]> {
  const { consumer, request, policies } = caller;
  const { coordinate } = visit;
  if (!consumer && (authenticated || scopes.length > 0)) return { code: 'UNAUTHENTICATED', message: `Reading ${coordinate} needs an authenticated caller.` };
  for (const alternatives of scopes) {
    if (!alternatives.some((all) => all.every((scope) => consumer?.scopes.includes(scope)))) {
      return { code: 'FORBIDDEN', message: `Reading ${coordinate} needs the scope ${alternatives.map((all) => all.join(' and ')).join(', or ')}.` };
    }
  }
  const input: PolicyInput = { consumer, request, coordinate, args: visit.args, parent: visit.parent };
  const typeName = on === 'parent' ? visit.parentType.name : getNamedType(visit.field.type).name;
  const deferred: Deferred[] = [];
  for (const alternatives of policyLists) {
    const named = alternatives.map((all) => all.join(' and ')).join(', or ');
    const code = consumer ? 'FORBIDDEN' : 'UNAUTHENTICATED';
    const open = await openAlternatives(alternatives, policies, { ...input, objectFrom: on === 'parent' ? visit.parent : { coordinate, args: visit.args, parent: visit.parent } });
    if (open === 'allowed') continue;
    if (open.length === 0) return { code, message: `Reading ${coordinate} is not allowed by policy ${named}.` };
    const refusal = { code, message: on === 'parent' ? `Reading ${coordinate} is not allowed by policy ${named}.` : `Reading this ${typeName} is not allowed by policy ${named}.` } as const;
    deferred.push(deferOnResult(open, on, typeName, input, caller.requires, refusal));
  }
  return deferred;
}

/**
 * Each AND-list of policy names decided before the call: `allowed` when one holds, else the lists
 * still open (their object policies that could not tell), none when every list is refused.
 */
async function openAlternatives(alternatives: string[][], policies: Record<string, AuthorizationPolicy>, input: PolicyInput & ObjectSource): Promise<'allowed' | Array<Array<[string, ObjectPolicy]>>> {
  const open: Array<Array<[string, ObjectPolicy]>> = [];
  for (const all of alternatives) {
    const answers = await Promise.all(all.map((name) => beforeCall(policies[name] as AuthorizationPolicy, input)));
    if (answers.includes(false)) continue;
    const undecided = all.flatMap((name, index) => (answers[index] === undefined ? [[name, policies[name] as ObjectPolicy] as [string, ObjectPolicy]] : []));
    if (undecided.length === 0) return 'allowed';
    open.push(undecided);
  }
  return open;
}

async function beforeCall(policy: AuthorizationPolicy, input: PolicyInput & ObjectSource): Promise<boolean | undefined> {
  try {
    const answer = isObjectPolicy(policy) ? await policy.beforeCall?.(input) : await policy(input);
    return answer === undefined && isObjectPolicy(policy) ? undefined : answer === true;
  } catch {
    return false;
  }
}

function deferOnResult(open: Array<Array<[string, ObjectPolicy]>>, on: Deferred['on'], typeName: string, input: PolicyInput, requires: PolicyRequires, refusal: NonNullable<Verdict>): Deferred {
  const fieldsOf = (name: string) => requires.of(name, typeName);
  const objectOf = (name: string, values: ReadonlyMap<FieldNode, unknown>) => Object.fromEntries(fieldsOf(name).map((field) => [field.alias?.value ?? field.name.value, values.get(field)]));
  const allows = async (name: string, policy: ObjectPolicy, values: ReadonlyMap<FieldNode, unknown>) => {
    try {
      return (await policy.onResult({ ...input, object: objectOf(name, values) })) === true;
    } catch {
      return false;
    }
  };
  return {
    on,
    requires: [...new Set(open.flat().flatMap(([name]) => fieldsOf(name)))],
    async decide(values) {
      for (const all of open) {
        if ((await Promise.all(all.map(([name, policy]) => allows(name, policy, values)))).every(Boolean)) return undefined;
      }
      return refusal;
    },
  };
}
