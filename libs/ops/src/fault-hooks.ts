import type { FaultHook } from '@wellifiy/config';
import { FaultPoints, NO_FAULTS } from '@wellifiy/messaging';

/** How the process dies at its crash point: SIGKILL, so no shutdown hook runs — as a power cut would. */
const killThisProcess = (): void => {
  process.kill(process.pid, 'SIGKILL');
};

/**
 * The fault-injection suite's crash points (FAULT_HOOKS, accepted by the config only when NODE_ENV=test):
 * `crash-after-write` kills the process after a writer's update, before its events are published;
 * `crash-in-handler` after an event handler's work, before the ack. The other point does nothing.
 */
export class CrashingFaultPoints extends FaultPoints {
  constructor(
    private readonly hook: FaultHook,
    private readonly crash: () => void = killThisProcess,
  ) {
    super();
  }

  afterHandler(): void {
    if (this.hook === 'crash-in-handler') this.crash();
  }

  afterOutboxWrite(): void {
    if (this.hook === 'crash-after-write') this.crash();
  }
}

/** The fault points of a process: none unless FAULT_HOOKS names one. */
export function faultPointsFor(hook: FaultHook | undefined): FaultPoints {
  return hook === undefined ? NO_FAULTS : new CrashingFaultPoints(hook);
}
