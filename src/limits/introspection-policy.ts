import type { ASTVisitor, ValidationContext } from 'graphql';
import type { Consumer } from '../auth/consumer.ts';
import { limitError } from './limit-error.ts';
import type { AutoSwitch } from './limits-config.ts';

/**
 * Whether a request may introspect the schema: `'on'` always; `'off'`, and `'auto'` in production,
 * only for a consumer declared with `introspection: true`.
 */
export function introspectionAllowed(setting: AutoSwitch, consumer: Consumer | undefined, production: boolean): boolean {
  if (setting === 'on' || (setting === 'auto' && !production)) return true;
  return consumer?.introspection === true;
}

/**
 * A validation rule refusing `__schema` and `__type`, like graphql-js's
 * `NoSchemaIntrospectionCustomRule` but with our error; `__typename` stays allowed. It is added
 * only for requests that may not introspect: Yoga's validation cache keys its results by the
 * rules' names, so those requests never share a cached result with the others.
 */
export function IntrospectionRefusedRule(context: ValidationContext): ASTVisitor {
  return {
    Field(node) {
      const name = node.name.value;
      if (name === '__schema' || name === '__type') context.reportError(limitError(`Introspection is disabled: the query selects "${name}".`, node));
    },
  };
}
