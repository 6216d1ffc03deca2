/**
 * The moments at which a crash does the most harm to delivery: the fault-injection suite (faults/) stops a process
 * there to prove nothing is lost. Production classes only call these; what happens is the provider's choice — nothing
 * (NO_FAULTS, the default everywhere) unless a test run configures a crash (FAULT_HOOKS, see libs/ops fault-hooks).
 * Also the DI token (MessagingModule provides it).
 */
export abstract class FaultPoints {
  /** An event handler's work is done, and its message not yet acknowledged. */
  abstract afterHandler(): void;
  /** A writer's update holding outbox entries is stored, and its events not yet published. */
  abstract afterOutboxWrite(): void;
}

class NoFaults extends FaultPoints {
  afterHandler(): void {
    // nothing happens here outside a fault-injection run
  }

  afterOutboxWrite(): void {
    // nothing happens here outside a fault-injection run
  }
}

export const NO_FAULTS: FaultPoints = new NoFaults();
