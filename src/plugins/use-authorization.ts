import { getNamedType } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { consumerOf, type Consumer } from '../auth/consumer.ts';
import { ConfigError } from '../config/config-error.ts';
import { applyDenials } from '../security/apply-denials.ts';
import type { AuthorizationPolicy, NormalizedAuthorization } from '../security/authorization-config.ts';
import type { AuthorizationRules, Requirement } from '../security/collect-authorization-rules.ts';
import { restrictDocument, type Decide, type Denial } from '../security/restrict-document.ts';

/**
 * Field authorization from the registered schemas. Fields the caller may not read are cut from
 * the document before execution (so no service receives them), then put back into the result as
 * `null` with `UNAUTHENTICATED` (no caller, where one is needed) or `FORBIDDEN` on their paths.
 */
export function useAuthorization(rules: AuthorizationRules, { policies }: NormalizedAuthorization): Plugin {
  const missing = [...rules.policyNames].filter((name) => !policies[name]);
  if (missing.length > 0) {
    throw new ConfigError(missing.map((name) => `config.authorization.policies.${name}: expected a function for @policy "${name}" used in the registered schemas, found none`));
  }
  return {
    async onExecute({ args }) {
      if (rules.fields.size === 0 && rules.types.size === 0) return;
      const { request } = args.contextValue as { request: Request };
      const decideRequirements = createDecider(consumerOf(request), request, policies);
      const decide: Decide = ({ coordinate, field }) => {
        const requirements = [rules.fields.get(coordinate), rules.types.get(getNamedType(field.type).name)].filter((requirement): requirement is Requirement => requirement !== undefined);
        return requirements.length > 0 ? decideRequirements(coordinate, requirements) : Promise.resolve(undefined);
      };
      const restricted = await restrictDocument(args.schema, args.document, args.operationName, decide);
      if (!restricted) return;
      args.document = restricted.document;
      return {
        onExecuteDone({ result, setResult }) {
          if (!('data' in result)) return;
          setResult(applyDenials(result, restricted.denials));
        },
      };
    },
  };
}

type Verdict = Omit<Denial, 'path'> | undefined;

function createDecider(consumer: Consumer | undefined, request: Request, policies: Record<string, AuthorizationPolicy>) {
  const policyAnswers = new Map<string, Promise<boolean>>();
  const allows = (name: string, coordinate: string) => {
    const key = `${name} ${coordinate}`;
    let answer = policyAnswers.get(key);
    if (!answer) {
      answer = Promise.resolve()
        .then(() => policies[name]?.({ consumer, request, coordinate }))
        .then((allowed) => allowed === true, () => false);
      policyAnswers.set(key, answer);
    }
    return answer;
  };
  return async (coordinate: string, requirements: Requirement[]): Promise<Verdict> => {
    for (const { authenticated, scopes, policies: policyLists } of requirements) {
      if (!consumer && (authenticated || scopes.length > 0)) return { code: 'UNAUTHENTICATED', message: `Reading ${coordinate} needs an authenticated caller.` };
      for (const alternatives of scopes) {
        if (!alternatives.some((all) => all.every((scope) => consumer?.scopes.includes(scope)))) {
          return { code: 'FORBIDDEN', message: `Reading ${coordinate} needs the scope ${alternatives.map((all) => all.join(' and ')).join(', or ')}.` };
        }
      }
      for (const alternatives of policyLists) {
        const answers = await Promise.all(alternatives.map(async (all) => (await Promise.all(all.map((name) => allows(name, coordinate)))).every(Boolean)));
        if (!answers.some(Boolean)) return { code: consumer ? 'FORBIDDEN' : 'UNAUTHENTICATED', message: `Reading ${coordinate} is not allowed by policy ${alternatives.map((all) => all.join(' and ')).join(', or ')}.` };
      }
    }
    return undefined;
  };
}
