/** The measured scenarios: what each one POSTs, and where. */
import { readFileSync } from 'node:fs';
import type { LoadTarget } from './load.ts';

export type ScenarioId =
  | 'gateway-order-history'
  | 'gateway-order-history-shipped'
  | 'gateway-order-history-bare'
  | 'gateway-order-history-cached'
  | 'hand-written-order-history'
  | 'yoga-order-history'
  | 'plans-order-history'
  | 'yoga-plans-order-history'
  | 'gateway-one-service'
  | 'direct-one-service';

export interface Scenario {
  id: ScenarioId;
  name: string;
  target: LoadTarget;
}

/** Where the scenarios send their requests. */
export interface Endpoints {
  /** The gateway's GraphQL endpoint. */
  gateway: string;
  /**
   * The GraphQL endpoint of a gateway with the example shop's own observability: the access log and
   * metrics on, tracing off (gateway.config.ts configures no collector, and tracing is off without one).
   */
  gatewayShipped: string;
  /** The GraphQL endpoint of a second gateway with the response cache on. */
  gatewayCached: string;
  /** The GraphQL endpoint of a gateway with logging, metrics and tracing off. */
  gatewayBare: string;
  /** The hand-written aggregator's `POST /order-history`. */
  handWritten: string;
  /** The GraphQL endpoint of Yoga alone over the hand-written aggregator's calls (yoga-aggregator.ts). */
  yoga: string;
  /** The gateway's planner and sources alone, over plain node:http (plan-only-servers.ts). */
  plans: string;
  /** The gateway's planner and sources under graphql-yoga with no other plugin. */
  yogaPlans: string;
  /** The users service's own GraphQL endpoint. */
  users: string;
  /** Headers the gateway's order-history request carries: a token with the scope orders:read. */
  gatewayAuth: Record<string, string>;
}

export const ORDER_HISTORY_QUERY = readFileSync(new URL('../../examples/ecommerce/order-history.graphql', import.meta.url), 'utf8');
// Public fields only: anonymous through the gateway and straight to the service alike (an email needs its owner's token).
export const ONE_SERVICE_QUERY = '{ user(id: "1") { id name } }';
export const USER_ID = '1';

const jsonHeaders = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' };

function post(url: string, body: unknown, headers: Record<string, string> = {}): LoadTarget {
  return { url, method: 'POST', headers: { ...jsonHeaders, ...headers }, body: JSON.stringify(body) };
}

/** The scenarios in the order they run and are reported: the hand-written aggregator next to the gateways it is compared with. */
export function buildScenarios(endpoints: Endpoints): Scenario[] {
  return [
    {
      id: 'gateway-order-history',
      name: 'order-history via gateway',
      target: post(endpoints.gateway, { query: ORDER_HISTORY_QUERY, variables: { id: USER_ID } }, endpoints.gatewayAuth),
    },
    { id: 'hand-written-order-history', name: 'order-history hand-written', target: post(endpoints.handWritten, { id: USER_ID }) },
    {
      id: 'gateway-order-history-shipped',
      name: 'order-history via gateway, as the shop ships (access log + metrics)',
      target: post(endpoints.gatewayShipped, { query: ORDER_HISTORY_QUERY, variables: { id: USER_ID } }, endpoints.gatewayAuth),
    },
    {
      id: 'gateway-order-history-bare',
      name: 'order-history via gateway, no observability',
      target: post(endpoints.gatewayBare, { query: ORDER_HISTORY_QUERY, variables: { id: USER_ID } }, endpoints.gatewayAuth),
    },
    {
      id: 'gateway-order-history-cached',
      name: 'order-history via gateway, cached',
      target: post(endpoints.gatewayCached, { query: ORDER_HISTORY_QUERY, variables: { id: USER_ID } }, endpoints.gatewayAuth),
    },
    {
      id: 'yoga-order-history',
      name: 'order-history, Yoga alone over the same calls',
      target: post(endpoints.yoga, { query: ORDER_HISTORY_QUERY, variables: { id: USER_ID } }),
    },
    {
      id: 'plans-order-history',
      name: "order-history, the gateway's plans alone (no Yoga, no plugin)",
      target: post(endpoints.plans, { query: ORDER_HISTORY_QUERY, variables: { id: USER_ID } }),
    },
    {
      id: 'yoga-plans-order-history',
      name: "order-history, the gateway's plans under Yoga alone",
      target: post(endpoints.yogaPlans, { query: ORDER_HISTORY_QUERY, variables: { id: USER_ID } }),
    },
    { id: 'gateway-one-service', name: 'one-service via gateway', target: post(endpoints.gateway, { query: ONE_SERVICE_QUERY }) },
    { id: 'direct-one-service', name: 'one-service direct', target: post(endpoints.users, { query: ONE_SERVICE_QUERY }) },
  ];
}

/** The pairs whose answers must be identical before anything is measured. */
export const SAME_ANSWER_PAIRS: readonly [ScenarioId, ScenarioId][] = [
  ['gateway-order-history', 'hand-written-order-history'],
  ['gateway-order-history', 'yoga-order-history'],
  ['gateway-order-history', 'gateway-order-history-cached'],
  ['gateway-order-history', 'gateway-order-history-shipped'],
  ['gateway-order-history', 'gateway-order-history-bare'],
  ['gateway-order-history', 'plans-order-history'],
  ['gateway-order-history', 'yoga-plans-order-history'],
  ['gateway-one-service', 'direct-one-service'],
];
