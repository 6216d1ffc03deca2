import { INestApplicationContext, Logger } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';

const HOOKS = ['onModuleDestroy', 'beforeApplicationShutdown', 'onApplicationShutdown'] as const;

/** How long a shutdown may take before the process says, at warn, what it is still waiting for. */
export const SHUTDOWN_WATCH_MS = 8_000;

export interface ShutdownProgress {
  /** Lifecycle hooks that have started and not yet settled, as `Provider.hook`. */
  pending(): string[];
  /** Which stage the shutdown is in, for the message (a function is asked when the message is written). */
  stage: string | (() => string);
}

/**
 * Names what a slow shutdown waits for. Every provider's and controller's shutdown hook is wrapped so that one
 * that has started and not settled is listed; `stage` says which part of Nest's close is running (the caller sets
 * it around the transport's and the HTTP server's close). After SIGTERM, if the process is still up after `afterMs`,
 * one warn line names them: the logs of a process that ends up SIGKILLed say why. It changes no hook's outcome.
 */
export function watchShutdown(app: INestApplicationContext, afterMs = SHUTDOWN_WATCH_MS, signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT']): ShutdownProgress {
  const logger = new Logger('Shutdown');
  const running = new Map<string, number>();
  for (const mod of app.get(ModulesContainer).values()) {
    for (const wrapper of [...mod.providers.values(), ...mod.controllers.values()]) {
      const instance = wrapper.instance as Record<string, unknown> | null | undefined;
      if (!instance || typeof instance !== 'object') continue;
      for (const hook of HOOKS) {
        const original = instance[hook];
        if (typeof original !== 'function') continue;
        const name = `${instance.constructor?.name ?? String(wrapper.name)}.${hook}`;
        instance[hook] = function (this: unknown, ...args: unknown[]): unknown {
          const result = (original as (...a: unknown[]) => unknown).apply(this, args);
          if (result && typeof (result as Promise<unknown>).then === 'function') {
            running.set(name, (running.get(name) ?? 0) + 1);
            const done = (): void => {
              const left = (running.get(name) ?? 1) - 1;
              if (left > 0) running.set(name, left);
              else running.delete(name);
            };
            (result as Promise<unknown>).then(done, done);
          }
          return result;
        };
      }
    }
  }
  const progress: ShutdownProgress = { pending: () => [...running.keys()], stage: 'running' };
  const started = (): void => {
    progress.stage = 'closing';
    const timer = setTimeout(() => {
      const waiting = progress.pending();
      const stage = typeof progress.stage === 'function' ? progress.stage() : progress.stage;
      logger.warn(`still shutting down after ${afterMs} ms (stage: ${stage}); waiting for: ${waiting.length ? waiting.join(', ') : 'no lifecycle hook'}`);
    }, afterMs);
    timer.unref();
  };
  let watching = false;
  for (const signal of signals)
    process.once(signal, () => {
      if (!watching) started();
      watching = true;
    });
  return progress;
}
