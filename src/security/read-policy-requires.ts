import {
  type GraphQLError,
  Kind,
  NoUnusedFragmentsRule,
  isInterfaceType,
  isObjectType,
  parse,
  specifiedRules,
  validate,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
} from 'graphql';
import { ConfigError } from '../config/config-error.ts';
import { isObjectPolicy, type AuthorizationPolicy } from './authorization-config.ts';
import type { AuthorizationRules, Requirement } from './collect-authorization-rules.ts';

/** The fields each object policy reads, parsed and checked against each type it decides on. */
export interface PolicyRequires {
  /** The `requires` fields of `policy` on objects of `typeName`. */
  of(policy: string, typeName: string): readonly FieldNode[];
}

const rules = specifiedRules.filter((rule) => rule !== NoUnusedFragmentsRule);

/**
 * Reads the `requires` of every object policy the schemas use, against the composed schema: it
 * must be a selection set of fields of the type the policy decides on (the type declaring the
 * field, or the type carrying the directive), without variables. An object policy on a field of
 * the Mutation type is refused: it would be decided after the mutation ran.
 */
export function readPolicyRequires(
  schema: GraphQLSchema,
  { fields, types }: AuthorizationRules,
  policies: Record<string, AuthorizationPolicy>,
): PolicyRequires {
  const problems: string[] = [];
  const parsed = new Map<string, readonly FieldNode[]>();
  const uses = [
    ...[...fields].map(([coordinate, requirement]) => ({
      typeName: coordinate.slice(0, coordinate.indexOf('.')),
      where: `@policy on ${coordinate}`,
      onField: true,
      requirement,
    })),
    ...[...types].map(([typeName, requirement]) => ({ typeName, where: `@policy on type ${typeName}`, onField: false, requirement })),
  ];
  for (const { typeName, where, onField, requirement } of uses) {
    for (const name of policyNames(requirement)) {
      const policy = policies[name];
      const key = `${name} ${typeName}`;
      const type = schema.getType(typeName);
      if (!policy || !isObjectPolicy(policy) || !type || parsed.has(key)) continue;
      const at = `config.authorization.policies.${name}`;
      if (onField && (type === schema.getMutationType() || type === schema.getSubscriptionType())) {
        problems.push(
          `${at}: ${where} would be decided on the result, after the mutation ran; decide a mutation before the call with a function policy on its arguments, and let the service check ownership`,
        );
      } else if (!isObjectType(type) && !isInterfaceType(type)) {
        problems.push(`${at}: ${where}: an object policy decides on objects, and ${typeName} is not an object or interface type`);
      } else {
        const read = readSelection(schema, typeName, policy.requires);
        if (typeof read === 'string')
          problems.push(`${at}.requires: expected a selection set of fields of ${typeName} (${where}), got ${JSON.stringify(policy.requires)}: ${read}`);
        else parsed.set(key, read);
      }
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { of: (policy, typeName) => parsed.get(`${policy} ${typeName}`) ?? [] };
}

function policyNames({ policies }: Requirement): Set<string> {
  return new Set(policies.flat(2));
}

/** The top-level fields of `requires` on `typeName`, or why it does not fit. */
function readSelection(schema: GraphQLSchema, typeName: string, requires: string): FieldNode[] | string {
  const text = requires.trim().startsWith('{') ? requires : `{ ${requires} }`;
  let document: DocumentNode;
  try {
    document = parse(`fragment Requires on ${typeName} ${text}`, { noLocation: true });
  } catch (error) {
    return (error as GraphQLError).message;
  }
  const [fragment, ...rest] = document.definitions as FragmentDefinitionNode[];
  if (!fragment || rest.length > 0) return 'one selection set';
  const [problem] = validate(schema, document, rules);
  if (problem) return problem.message;
  let variables = 0;
  visit(fragment, { Variable: () => void (variables += 1) });
  if (variables > 0) return 'no variables';
  if (fragment.selectionSet.selections.some((selection) => selection.kind !== Kind.FIELD)) return 'fields, not fragments, at the top level';
  return fragment.selectionSet.selections as FieldNode[];
}
