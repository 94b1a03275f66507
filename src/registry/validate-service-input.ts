import { GraphQLError, Source, parse } from 'graphql';
import { RegistryInputError } from './registry-input-error.ts';
import { serviceKinds, type ServiceDefinition, type ServiceKind } from './registry-store.ts';
import { serviceOptionProblems } from './registered-sources.ts';

/** A service definition as given, before it is checked: every field may be missing or wrong. */
export interface ServiceInput {
  service: string;
  sdl: string;
  /** How problems name the SDL (the file it came from). */
  name: string;
  kind?: string;
  urls?: readonly string[];
  options?: Record<string, unknown>;
}

/** The same names as `config.sources` takes. */
const serviceName = /^[A-Za-z][A-Za-z0-9_-]*$/;

/** Throws a {@link RegistryInputError} unless `service` is a name `config.sources` would take. */
export function validateServiceName(service: string): void {
  if (!serviceName.test(service))
    throw new RegistryInputError([`service: expected a name of letters, digits, - and _ starting with a letter, got ${JSON.stringify(service)}`]);
}

/**
 * Checks a service definition, filling in what is missing from the service's current version
 * (`current`), and returns it; throws a {@link RegistryInputError} listing every problem: a name
 * `config.sources` would refuse, a kind not in the list, a URL that is not http(s), options a
 * source would refuse, an SDL that does not parse (with its line and column).
 */
export function validateServiceInput(input: ServiceInput, current: ServiceDefinition | undefined): ServiceDefinition {
  validateServiceName(input.service);
  const problems: string[] = [];
  const kind = input.kind ?? current?.kind;
  const urls = input.urls && input.urls.length > 0 ? [...input.urls] : current?.urls;
  if (!kind || !urls) problems.push(`${input.service} is not registered yet: its first publish needs a kind (${serviceKinds.join(', ')}) and a url`);
  if (kind !== undefined && !(serviceKinds as readonly string[]).includes(kind))
    problems.push(`kind: expected one of ${serviceKinds.map((name) => `"${name}"`).join(', ')}, got ${JSON.stringify(kind)}`);
  for (const url of urls ?? []) {
    if (!/^https?:\/\//.test(url) || !URL.canParse(url)) problems.push(`url: expected an http:// or https:// URL, got ${JSON.stringify(url)}`);
  }
  if (input.sdl.trim() === '') problems.push(`${input.name}: expected an SDL, got an empty file`);
  else problems.push(...parseProblems(input.sdl, input.name));
  const definition: ServiceDefinition = { kind: kind as ServiceKind, urls: urls ?? [], sdl: input.sdl, options: input.options ?? current?.options ?? {} };
  if (problems.length === 0) problems.push(...serviceOptionProblems(input.service, definition));
  if (problems.length > 0) throw new RegistryInputError(problems);
  return definition;
}

/** `file:line:column: Syntax Error: ...`, as start-up names a registered file's syntax error. */
function parseProblems(sdl: string, name: string): string[] {
  try {
    parse(new Source(sdl, name));
    return [];
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    const [location] = error.locations ?? [];
    return [`${name}${location ? `:${location.line}:${location.column}` : ''}: ${error.message}`];
  }
}
