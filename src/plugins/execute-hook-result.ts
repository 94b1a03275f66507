import type { Plugin } from 'graphql-yoga';

/** What a plugin's `onExecute` hook receives. */
export type ExecutePayload = Parameters<NonNullable<Plugin['onExecute']>>[0];

/** What an `onExecute` hook may return besides nothing (or a promise of either): its hooks on the execution's end. */
export type ExecuteHookResult = Exclude<Awaited<ReturnType<NonNullable<Plugin['onExecute']>>>, void>;
