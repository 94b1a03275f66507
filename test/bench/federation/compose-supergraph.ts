/**
 * The supergraph SDL the peer gateways start from: each subgraph's SDL read through
 * `_service { sdl }` (as Concierge's `federation` sources read it) and composed with
 * @theguild/federation-composition, the composition Hive Gateway's own tooling uses.
 */
import { composeServices } from '@theguild/federation-composition';
import { parse } from 'graphql';

/** Composes the subgraphs at `urls` (base URLs; the GraphQL endpoint is `<url>/graphql`); throws with every composition error. */
export async function composeSupergraph(urls: Record<string, string>): Promise<string> {
  const services = await Promise.all(
    Object.entries(urls).map(async ([name, url]) => {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ _service { sdl } }' }),
      });
      const { data } = (await response.json()) as { data?: { _service?: { sdl?: string } } };
      const sdl = data?._service?.sdl;
      if (!response.ok || typeof sdl !== 'string') throw new Error(`${name}: _service { sdl } answered ${response.status} without an SDL`);
      return { name, url: `${url}/graphql`, typeDefs: parse(sdl) };
    }),
  );
  const composed = composeServices(services);
  if (composed.errors) throw new Error(`The benchmark subgraphs do not compose:\n${composed.errors.map((error) => `  ${error.message}`).join('\n')}`);
  return composed.supergraphSdl;
}
