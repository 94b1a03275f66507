import type { FieldNode, GraphQLField } from 'graphql';
import { sharedFieldArguments } from '../execution/field-arguments.ts';
import type { FieldOccurrence } from './authorization-config.ts';

/**
 * A field occurrence whose `args` are computed on first read: most occurrences have no rule, and
 * their decider never reads the arguments.
 */
export class Occurrence implements FieldOccurrence {
  #args: Readonly<Record<string, unknown>> | undefined;
  readonly #field: GraphQLField<unknown, unknown>;
  readonly #node: FieldNode;
  readonly #variables: Record<string, unknown>;

  constructor(
    readonly coordinate: string,
    readonly parent: FieldOccurrence | undefined,
    field: GraphQLField<unknown, unknown>,
    node: FieldNode,
    variables: Record<string, unknown>,
  ) {
    this.#field = field;
    this.#node = node;
    this.#variables = variables;
  }

  get args(): Readonly<Record<string, unknown>> {
    return (this.#args ??= argumentValues(this.#field, this.#node, this.#variables));
  }

  /** What a policy that logs its input sees: the occurrence's own properties. */
  toJSON(): FieldOccurrence {
    return { coordinate: this.coordinate, args: this.args, parent: this.parent };
  }
}

function argumentValues(field: GraphQLField<unknown, unknown>, node: FieldNode, variables: Record<string, unknown>): Readonly<Record<string, unknown>> {
  try {
    return sharedFieldArguments(field, node, variables);
  } catch {
    // Invalid arguments fail execution before any resolver runs; the decision does not matter.
    return {};
  }
}
