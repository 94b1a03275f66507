import { isAsyncIterable } from '@graphql-tools/utils';
import { getNamedType, isCompositeType, type ExecutionResult, type FieldNode, type GraphQLField, type GraphQLNamedType, type GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { consumerOf, type Consumer } from '../auth/consumer.ts';
import { ConfigError } from '../config/config-error.ts';
import { gatewayError } from '../errors.ts';
import { applyDenials } from '../security/apply-denials.ts';
import { applyResultChecks, withoutKeys } from '../security/apply-result-checks.ts';
import {
  isObjectPolicy,
  type AuthorizationPolicy,
  type NormalizedAuthorization,
  type ObjectPolicy,
  type ObjectSource,
  type PolicyInput,
} from '../security/authorization-config.ts';
import type { AuthorizationRules, Requirement } from '../security/collect-authorization-rules.ts';
import { possibleObjectTypes } from '../security/possible-types.ts';
import { readPolicyRequires, type PolicyRequires } from '../security/read-policy-requires.ts';
import { isClientView } from '../clients/client-views.ts';
import {
  restrictDocument,
  type Decide,
  type Deferred,
  type FieldVisit,
  type MayRestrict,
  type RestrictedDocument,
  type Verdict,
} from '../security/restrict-document.ts';
import { isPromise, type MaybePromise } from '../maybe-promise.ts';
import { ObjectSlot } from '../object-slot.ts';

/**
 * Field and object authorization from the registered schemas. Fields the caller may not read are
 * cut from the document before execution (so no service receives them), then put back into the
 * result as `null` with `UNAUTHENTICATED` (no caller, where one is needed) or `FORBIDDEN` on their
 * paths. Object policies the request alone cannot decide are decided on the result: the fields they
 * read are added under internal aliases, and the refused objects (or fields) become `null` with
 * their errors.
 *
 * A rule applies wherever its field or type can be read, whatever type the selection is written
 * against: a rule on `User.email` when `email` is selected on an interface `User` implements, a
 * rule on an interface's field on every implementation, a rule on a type when a field returns an
 * interface or union it belongs to, a rule on an interface when a field returns a type that
 * implements it. A refusal decided before the call cuts the field as selected:
 * `accounts { email }` with only `User.email` protected refuses every `email` of the list, a
 * `Robot`'s too (`... on Robot { email }` reads those), and a field that can return a protected
 * type is refused when its type's rule refuses. Decisions left to the result are made per object,
 * on the objects of the rule's type only.
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
    throw new ConfigError(
      missing.map(
        (name) =>
          `config.authorization.policies.${name}: expected a function or object policy for @policy "${name}" used in the registered schemas, found none`,
      ),
    );
  }
  let requires: PolicyRequires | undefined;
  const internalKeys = new ObjectSlot<object, ReadonlySet<string>>('internal response keys');
  const filters = new WeakMap<GraphQLSchema, MayRestrict>();
  const mayApply = (schema: GraphQLSchema): MayRestrict => {
    let filter = filters.get(schema);
    if (!filter) filters.set(schema, (filter = rulesMayApply(rules, schema)));
    return filter;
  };
  // The operation as restricted, and the result's decisions and refusals once it has run.
  const restrictExecution = (
    args: Parameters<NonNullable<Plugin['onExecute']>>[0]['args'],
    restricted: RestrictedDocument | undefined,
  ): Exclude<Awaited<ReturnType<NonNullable<Plugin['onExecute']>>>, void> | undefined => {
    if (!restricted) return;
    args.document = restricted.document;
    if (restricted.internalKeys.size > 0) internalKeys.set(args.contextValue as object, restricted.internalKeys);
    return {
      // Synchronous unless the result's objects must be decided: a promise here makes envelop chain every later hook.
      onExecuteDone({ result, setResult }) {
        if (isAsyncIterable(result)) {
          // A stream (subscription, @defer) is not decided object by object: refused whole when it would have to be.
          if (restricted.checks.length > 0) setResult({ errors: [gatewayError('FORBIDDEN', 'Object-level policies decide whole results, not streams.')] });
          return;
        }
        const settle = (decided: ExecutionResult) => setResult(restricted.denials.length > 0 ? applyDenials(decided, restricted.denials) : decided);
        return restricted.checks.length === 0 ? settle(result) : applyResultChecks(result, restricted.checks).then(settle);
      },
    };
  };
  return {
    onSchemaChange({ schema }) {
      // A client view is a subset of the graph: policies read their fields as the graph has them.
      if (isClientView(schema)) return;
      requires = readPolicyRequires(schema, rules, policies);
    },
    // Synchronous while every decision is: most policies answer from the token and the arguments.
    onExecute({ args }) {
      if (rules.fields.size === 0 && rules.types.size === 0) return;
      requires ??= readPolicyRequires(args.schema, rules, policies);
      const { request } = args.contextValue as { request: Request };
      const decide = createDecider(rules, { consumer: consumerOf(request), request, policies, requires, schema: args.schema });
      const restricted = restrictDocument(args.schema, args.document, args.operationName, decide, args.variableValues ?? {}, mayApply(args.schema));
      return isPromise(restricted) ? restricted.then((settled) => restrictExecution(args, settled)) : restrictExecution(args, restricted);
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
  schema: GraphQLSchema;
}

/** A requirement a visit decides, on which objects, and how a refusal names what was refused. */
interface Applicable {
  requirement: Requirement;
  on: Deferred['on'];
  typeName: string;
  subject: string;
}

/** Decides each visit by the rules that apply to it, in order: synchronously while every policy answers synchronously. */
function createDecider(rules: AuthorizationRules, caller: Caller): Decide {
  return (visit) => decideFrom(applicableRulesOnce(rules, visit, caller.schema), 0, visit, caller, []);
}

/** {@link applicableRules} by rules, field and whether the visit is the occurrence's first: they depend on nothing else. */
const applicableByField = new WeakMap<
  AuthorizationRules,
  WeakMap<GraphQLField<unknown, unknown>, [first?: readonly Applicable[], other?: readonly Applicable[]]>
>();

/** The rules that apply to a visit, worked out once per field of the schema (and kind of visit), then shared: nothing changes them. */
function applicableRulesOnce(rules: AuthorizationRules, visit: FieldVisit, schema: GraphQLSchema): readonly Applicable[] {
  let byField = applicableByField.get(rules);
  if (!byField) applicableByField.set(rules, (byField = new WeakMap()));
  let known = byField.get(visit.field);
  if (!known) byField.set(visit.field, (known = []));
  const slot = visit.parentType === visit.selectedOn ? 0 : 1;
  return (known[slot] ??= applicableRules(rules, visit, schema));
}

/** The applicable rules from `from` on, in order: the first refusal is the visit's; else what they deferred. */
function decideFrom(
  applicable: readonly Applicable[],
  from: number,
  visit: FieldVisit,
  caller: Caller,
  deferred: Deferred[],
): MaybePromise<Verdict | { deferred: readonly Deferred[] }> {
  for (let index = from; index < applicable.length; index++) {
    const decision = decideRequirement(applicable[index] as Applicable, visit, caller);
    if (isPromise(decision)) {
      return decision.then((settled) => {
        if (!Array.isArray(settled)) return settled;
        deferred.push(...settled);
        return decideFrom(applicable, index + 1, visit, caller, deferred);
      });
    }
    if (!Array.isArray(decision)) return decision;
    deferred.push(...decision);
  }
  return deferred.length > 0 ? { deferred } : undefined;
}

/**
 * Whether {@link applicableRules} can find a rule for a visit: the field has one, or, on a first
 * visit, a type it can return has one (worked out once per field of the schema).
 */
function rulesMayApply({ fields, types }: AuthorizationRules, schema: GraphQLSchema): MayRestrict {
  const returnsRuledType = new WeakMap<GraphQLField<unknown, unknown>, boolean>();
  return (parentType, field, firstVisit) => {
    if (fields.has(`${parentType.name}.${field.name}`)) return true;
    if (!firstVisit || types.size === 0) return false;
    let ruled = returnsRuledType.get(field);
    if (ruled === undefined) {
      const named = getNamedType(field.type);
      const objects = isCompositeType(named) ? possibleObjectTypes(schema, named) : [];
      ruled = [named, ...objects, ...objects.flatMap((object) => object.getInterfaces())].some((type) => types.has(type.name));
      returnsRuledType.set(field, ruled);
    }
    return ruled;
  };
}

/**
 * The field's own rule, then, on the occurrence's first visit only (the field's return type is
 * the same on every visit, or narrower), the rule of the type it returns, of each object type it
 * can return (for an interface or a union) and of each interface those implement.
 */
function applicableRules({ fields, types }: AuthorizationRules, visit: FieldVisit, schema: GraphQLSchema): Applicable[] {
  const own = fields.get(visit.coordinate);
  const applicable: Applicable[] = own ? [{ requirement: own, on: 'parent', typeName: visit.parentType.name, subject: visit.coordinate }] : [];
  if (visit.parentType !== visit.selectedOn) return applicable;
  const named = getNamedType(visit.field.type);
  const objects = isCompositeType(named) ? possibleObjectTypes(schema, named) : [];
  const returned = new Set<GraphQLNamedType>([named, ...objects, ...objects.flatMap((object) => object.getInterfaces())]);
  for (const type of returned) {
    const requirement = types.get(type.name);
    if (requirement)
      applicable.push({
        requirement,
        on: 'self',
        typeName: type.name,
        subject: type === named ? visit.coordinate : `${visit.coordinate}, which can return ${type.name},`,
      });
  }
  return applicable;
}

/** A refusal, or the decisions left to the result (none: allowed). */
function decideRequirement(applicable: Applicable, visit: FieldVisit, caller: Caller): MaybePromise<Verdict | Deferred[]> {
  const { authenticated, scopes } = applicable.requirement;
  const { consumer } = caller;
  const { subject } = applicable;
  if (!consumer && (authenticated || scopes.length > 0)) return { code: 'UNAUTHENTICATED', message: `Reading ${subject} needs an authenticated caller.` };
  for (const alternatives of scopes) {
    if (!alternatives.some((all) => all.every((scope) => consumer?.scopes.includes(scope)))) {
      return { code: 'FORBIDDEN', message: `Reading ${subject} needs the scope ${alternatives.map((all) => all.join(' and ')).join(', or ')}.` };
    }
  }
  return decidePolicies(applicable, visit, caller, 0, []);
}

/** The requirement's policy lists from `from` on: each must allow, or leave its decision to the result. */
function decidePolicies(applicable: Applicable, visit: FieldVisit, caller: Caller, from: number, deferred: Deferred[]): MaybePromise<Verdict | Deferred[]> {
  const { policies: policyLists } = applicable.requirement;
  for (let index = from; index < policyLists.length; index++) {
    const alternatives = policyLists[index] as string[][];
    const input = policyInput(applicable, visit, caller);
    const open = openAlternatives(alternatives, caller.policies, input);
    if (isPromise(open)) {
      return open.then((settled) => {
        const verdict = settlePolicies(settled, alternatives, applicable, visit, caller, deferred);
        return verdict === undefined ? decidePolicies(applicable, visit, caller, index + 1, deferred) : verdict;
      });
    }
    const verdict = settlePolicies(open, alternatives, applicable, visit, caller, deferred);
    if (verdict !== undefined) return verdict;
  }
  return deferred;
}

/** What one policy list's alternatives settled to: a refusal, or `undefined` (allowed, or deferred to the result and added to `deferred`). */
function settlePolicies(
  open: 'allowed' | Array<Array<[string, ObjectPolicy]>>,
  alternatives: string[][],
  { on, typeName, subject }: Applicable,
  visit: FieldVisit,
  caller: Caller,
  deferred: Deferred[],
): Verdict {
  if (open === 'allowed') return undefined;
  const named = alternatives.map((all) => all.join(' and ')).join(', or ');
  const code = caller.consumer ? 'FORBIDDEN' : 'UNAUTHENTICATED';
  if (open.length === 0) return { code, message: `Reading ${subject} is not allowed by policy ${named}.` };
  const refusal = {
    code,
    message: on === 'parent' ? `Reading ${visit.coordinate} is not allowed by policy ${named}.` : `Reading this ${typeName} is not allowed by policy ${named}.`,
  } as const;
  const { consumer, request } = caller;
  deferred.push(
    deferOnResult(open, on, typeName, { consumer, request, coordinate: visit.coordinate, args: visit.args, parent: visit.parent }, caller.requires, refusal),
  );
  return undefined;
}

/** What a policy is asked before the call: the caller, the field occurrence, and the occurrence whose object the policy is about. */
function policyInput({ on }: Applicable, visit: FieldVisit, { consumer, request }: Caller): PolicyInput & ObjectSource {
  const { coordinate } = visit;
  return {
    consumer,
    request,
    coordinate,
    args: visit.args,
    parent: visit.parent,
    objectFrom: on === 'parent' ? visit.parent : { coordinate, args: visit.args, parent: visit.parent },
  };
}

/**
 * Each AND-list of policy names decided before the call: `allowed` when one holds, else the lists
 * still open (their object policies that could not tell), none when every list is refused. The
 * policies of an AND-list are asked together; the next list only when this one did not allow.
 */
function openAlternatives(
  alternatives: string[][],
  policies: Record<string, AuthorizationPolicy>,
  input: PolicyInput & ObjectSource,
  from = 0,
  open: Array<Array<[string, ObjectPolicy]>> = [],
): MaybePromise<'allowed' | Array<Array<[string, ObjectPolicy]>>> {
  for (let index = from; index < alternatives.length; index++) {
    const all = alternatives[index] as string[];
    const answers = all.map((name) => beforeCall(policies[name] as AuthorizationPolicy, input));
    if (answers.some(isPromise)) {
      return Promise.all(answers).then((settled) =>
        takeAnswers(all, settled, policies, open) ? 'allowed' : openAlternatives(alternatives, policies, input, index + 1, open),
      );
    }
    if (takeAnswers(all, answers as Array<boolean | undefined>, policies, open)) return 'allowed';
  }
  return open;
}

/** Whether an AND-list's answers allow; else adds its undecided object policies to `open` unless one refused. */
function takeAnswers(
  all: string[],
  answers: ReadonlyArray<boolean | undefined>,
  policies: Record<string, AuthorizationPolicy>,
  open: Array<Array<[string, ObjectPolicy]>>,
): boolean {
  if (answers.includes(false)) return false;
  const undecided = all.flatMap((name, index) => (answers[index] === undefined ? [[name, policies[name] as ObjectPolicy] as [string, ObjectPolicy]] : []));
  if (undecided.length === 0) return true;
  open.push(undecided);
  return false;
}

/** A policy's answer before the call: `undefined` when an object policy leaves it to the result; a policy that throws or rejects refuses. */
function beforeCall(policy: AuthorizationPolicy, input: PolicyInput & ObjectSource): MaybePromise<boolean | undefined> {
  const object = isObjectPolicy(policy);
  let answer: unknown;
  try {
    answer = object ? policy.beforeCall?.(input) : policy(input);
  } catch {
    return false;
  }
  const settle = (value: unknown) => (value === undefined && object ? undefined : value === true);
  return isPromise(answer) ? Promise.resolve(answer).then(settle, () => false) : settle(answer);
}

function deferOnResult(
  open: Array<Array<[string, ObjectPolicy]>>,
  on: Deferred['on'],
  typeName: string,
  input: PolicyInput,
  requires: PolicyRequires,
  refusal: NonNullable<Verdict>,
): Deferred {
  const fieldsOf = (name: string) => requires.of(name, typeName);
  const objectOf = (name: string, values: ReadonlyMap<FieldNode, unknown>) =>
    Object.fromEntries(fieldsOf(name).map((field) => [field.alias?.value ?? field.name.value, values.get(field)]));
  const allows = async (name: string, policy: ObjectPolicy, values: ReadonlyMap<FieldNode, unknown>) => {
    try {
      return (await policy.onResult({ ...input, object: objectOf(name, values) })) === true;
    } catch {
      return false;
    }
  };
  return {
    on,
    typeName,
    requires: [...new Set(open.flat().flatMap(([name]) => fieldsOf(name)))],
    async decide(values) {
      for (const all of open) {
        if ((await Promise.all(all.map(([name, policy]) => allows(name, policy, values)))).every(Boolean)) return undefined;
      }
      return refusal;
    },
  };
}
