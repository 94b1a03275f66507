import { visit, type DocumentNode } from 'graphql';

/** The variables a document's `@skip` and `@include` conditions read, sorted. */
export function conditionVariables(document: DocumentNode): string[] {
  const names = new Set<string>();
  visit(document, {
    Directive(directive) {
      if (directive.name.value !== 'skip' && directive.name.value !== 'include') return;
      visit(directive, { Variable: (variable) => void names.add(variable.name.value) });
    },
  });
  return [...names].sort();
}
