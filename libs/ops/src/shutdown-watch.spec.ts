import { Injectable, Logger, Module, OnApplicationShutdown, OnModuleDestroy } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { watchShutdown } from './shutdown-watch';

let release: () => void = () => undefined;

@Injectable()
class SlowCloser implements OnApplicationShutdown {
  onApplicationShutdown(): Promise<void> {
    return new Promise((r) => (release = r));
  }
}

@Injectable()
class QuickCloser implements OnModuleDestroy {
  closed = false;
  async onModuleDestroy(): Promise<void> {
    this.closed = true;
  }
}

@Module({ providers: [SlowCloser, QuickCloser] })
class ShutdownTestModule {}

describe('watchShutdown', () => {
  it('names the hooks a shutdown still waits for, once the signal is older than the limit, and changes no outcome', async () => {
    const app = await NestFactory.createApplicationContext(ShutdownTestModule, { logger: false });
    const progress = watchShutdown(app, 50, ['SIGUSR2']);
    const warned: string[] = [];
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation((m: unknown) => void warned.push(String(m)));
    try {
      process.emit('SIGUSR2');
      let inFlight = 3;
      progress.stage = () => `the broker transport (${inFlight} in flight)`; // asked when the line is written
      inFlight = 1;
      const closing = app.close();
      await new Promise((r) => setTimeout(r, 120));
      expect(app.get(QuickCloser).closed).toBe(true);
      expect(progress.pending()).toEqual(['SlowCloser.onApplicationShutdown']);
      expect(warned).toEqual(['still shutting down after 50 ms (stage: the broker transport (1 in flight)); waiting for: SlowCloser.onApplicationShutdown']);
      release();
      await closing;
      expect(progress.pending()).toEqual([]);
    } finally {
      warn.mockRestore();
    }
  });
});
