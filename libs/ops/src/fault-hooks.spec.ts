import { NO_FAULTS } from '@wellifiy/messaging';
import { CrashingFaultPoints, faultPointsFor } from './fault-hooks';

describe('fault hooks (FAULT_HOOKS → the process\'s fault points)', () => {
  it('without FAULT_HOOKS a process has no crash point: the no-op fault points', () => {
    expect(faultPointsFor(undefined)).toBe(NO_FAULTS);
  });

  it('FAULT_HOOKS names the crash point: the process kills itself there with SIGKILL, as a power cut would', () => {
    const kill = jest.spyOn(process, 'kill').mockImplementation(() => true);
    try {
      const points = faultPointsFor('crash-in-handler');
      points.afterOutboxWrite();
      expect(kill).not.toHaveBeenCalled();
      points.afterHandler();
      expect(kill).toHaveBeenCalledWith(process.pid, 'SIGKILL');
    } finally {
      kill.mockRestore();
    }
  });

  it.each([
    ['crash-after-write', 'afterOutboxWrite', 'afterHandler'],
    ['crash-in-handler', 'afterHandler', 'afterOutboxWrite'],
  ] as const)('%s crashes at %s only, and never at %s', (hook, crashesAt, passes) => {
    const crashes: string[] = [];
    const points = new CrashingFaultPoints(hook, () => crashes.push(hook));
    points[passes]();
    expect(crashes).toEqual([]);
    points[crashesAt]();
    expect(crashes).toEqual([hook]);
  });
});
