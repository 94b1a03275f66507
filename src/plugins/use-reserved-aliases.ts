import { isAsyncIterable, mapAsyncIterator } from '@graphql-tools/utils';
import type { ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { renamingOf, restoreResult, type Renaming } from '../execution/reserved-aliases.ts';
import { ObjectSlot } from '../object-slot.ts';

/**
 * Client aliases starting with `__` (`__proto__: name`) run as plain aliases and come back as the
 * client wrote them (see `Renaming`). The document is renamed as execution starts, before
 * authorization, rate limits, the response cache and the plans see it, so all of them work on one
 * document; the keys are restored in `onExecutionResult`, after every `onExecuteDone`, on
 * executed and cached answers alike.
 */
export function useReservedAliases(): Plugin {
  const renamings = new ObjectSlot<object, Renaming>('reserved aliases');
  return {
    onExecute({ args }) {
      const renaming = renamingOf(args.document);
      if (!renaming) return;
      args.document = renaming.document;
      renamings.set(args.contextValue as object, renaming);
    },
    onExecutionResult({ result, setResult, context }) {
      const renaming = renamings.get(context as object);
      if (!renaming || !result) return;
      if (isAsyncIterable(result)) setResult(mapAsyncIterator(result, (item: ExecutionResult) => restoreResult(item, renaming)));
      else setResult(restoreResult(result as ExecutionResult, renaming));
    },
  };
}
