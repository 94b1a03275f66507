import type { Plugin } from 'graphql-yoga';
import { consumerOf } from '../auth/consumer.ts';
import { setClient } from './client-of.ts';
import type { NormalizedClients } from './normalize-clients.ts';
import { clientNameHeaders, clientVersionHeaders, firstHeader, selectClient } from './select-client.ts';
import { createVersionLabels } from './version-labels.ts';

/**
 * Gives each request its client profile (see `selectClient`), once authentication has recorded
 * the consumer: everything after it (the schema view, documents, limits, plans, labels) reads the
 * profile with `clientOf(request)`. Built once per gateway, so version labels survive schema swaps.
 */
export function useClientProfiles(clients: NormalizedClients): Plugin {
  if (clients.profiles.length === 0) return {};
  const versionLabel = createVersionLabels();
  return {
    onRequest({ request }) {
      const profile = selectClient(clients, consumerOf(request), firstHeader(request, clientNameHeaders));
      if (!profile) return;
      const version = firstHeader(request, clientVersionHeaders)?.slice(0, 64);
      setClient(request, { profile, version, versionLabel: versionLabel(profile, version) });
    },
  };
}
