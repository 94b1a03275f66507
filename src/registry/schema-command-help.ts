import { defaultRegistryDirectory } from './registry-config.ts';
import { serviceOptionKeys } from './service-option-keys.ts';

/** The help texts of `concierge schema` and its commands (read without loading the registry). */

const exitCodes = `Exit codes:
  0  done (or nothing to change)
  1  the check failed, or the change was refused (only the check is recorded)
  2  usage or input error: bad arguments, an unreadable file, an SDL that does not parse, an
     unknown service or version, a URL or kind that is not allowed, a store that cannot be
     opened (nothing is recorded)
`;

const storeOptions = `Store (the first given wins):
  --registry <http(s)://gateway>
                    a gateway's registry API (every command but import), with --token <token> or
                    CONCIERGE_REGISTRY_TOKEN: the admin token, or a team's token for its service.
                    The API records the token's holder as the author (--author is not sent)
  --store <dir | postgres://...>
                    an embedded store's folder (created when missing) or a PostgreSQL URL
  CONCIERGE_REGISTRY  any of these, from the environment
  the config's registry option (--config <file>, or gateway.config.* in the current folder;
                    without the option, the embedded store in ${defaultRegistryDirectory} beside it)
`;

const changeOptions = `  --author <name>   who asks, stored with the version and the check (default: CONCIERGE_AUTHOR,
                    else USER)
  --force           store it although a breaking change touches used coordinates (recorded as
                    forced, with the author); a graph that does not compose is never stored
  --manifest <file> persisted documents (a trusted-documents manifest) that count as used;
                    repeatable. The config's trustedDocuments.manifest always counts.
`;

/** Each subcommand: its synopsis and what it does, for `concierge schema <command> --help`. */
export const schemaCommands: Record<string, { synopsis: string; text: string }> = {
  publish: {
    synopsis:
      'publish <service> --schema <file> [--url <url>]... [--kind graphql|rest|federation] [--options <json>] [--author <name>] [--force] [--manifest <file>]...',
    text: `Checks the service's new SDL against every other service of the current graph (composed as
start-up composes) and stores it as the service's next version and the graph's next version.
A breaking change of the public schema fails the check only when an operation used a coordinate
it touches within the usage window (config registry.usageWindow, 7 days by default), or a
persisted document does. A new service needs --kind and --url; an existing one keeps its own
unless given. Publishing the current definition again changes nothing.

  --schema <file>   the service's SDL
  --url <url>       where the service runs (http:// or https://); repeatable, the first is called
  --kind <kind>     graphql, rest or federation
  --options <json>  source options: ${serviceOptionKeys.join(', ')}
${changeOptions}`,
  },
  check: {
    synopsis: 'check <service> --schema <file> [--url <url>]... [--kind <kind>] [--options <json>] [--manifest <file>]...',
    text: `The check of publish, without publishing: the result is recorded as a check. The service must
be in the current graph (a new service is checked by its first publish).

  --schema, --url, --kind, --options, --manifest, --author: as for publish
`,
  },
  history: {
    synopsis: 'history [<service>]',
    text: `The versions of one service, or of every service, newest first: the graph version each made,
what made it (import, publish, rollback, delete), who and when, and whether it was forced.
`,
  },
  diff: {
    synopsis: 'diff <v1> <v2>',
    text: `The changes from one version to another, in @graphql-inspector's words, breaking ones first and
marked: of the public schema between two graph versions (diff 3 5), or of a service's SDL
between two of its versions (diff products@2 products@3).
`,
  },
  rollback: {
    synopsis: 'rollback <service> --to <version> [--author <name>] [--force] [--manifest <file>]...',
    text: `Publishes an earlier version of a service (its SDL, kind, URLs and options) as its next version,
checked like a publish. Also brings back a deleted service.

  --to <version>    the version to restore (see history)
${changeOptions}`,
  },
  delete: {
    synopsis: 'delete <service> [--author <name>] [--force] [--manifest <file>]...',
    text: `Removes a service from the graph, checked as the composition without it: its fields' removal
fails the check when they are used.

${changeOptions}`,
  },
  import: {
    synopsis: 'import [--author <name>]',
    text: `Seeds an empty store from the config's sources: each source's SDL as start-up reads it (its
file, introspection, or a federation subgraph's _service, so those must be running), kind, URL
and non-default options, as version 1 of each service and graph version 1. Publishing into an
empty store without it starts the graph from that one service.

  --author <name>   stored with the versions
`,
  },
};

/** `concierge schema --help`. */
export const schemaUsage = `Usage: concierge schema <command> [options]

The schema registry: versions of each service's SDL, changed only through a check.

Commands:
${Object.values(schemaCommands)
  .map(({ synopsis }) => `  ${synopsis}`)
  .join('\n')}

Run concierge schema <command> --help for each.

${storeOptions}
${exitCodes}`;

/** `concierge schema <command> --help`. */
export function schemaCommandUsage({ synopsis, text }: { synopsis: string; text: string }): string {
  return `Usage: concierge schema ${synopsis}\n\n${text}\n${storeOptions}\n${exitCodes}`;
}
