import { Controller, Get, HttpCode, HttpException, Inject, Injectable } from '@nestjs/common';
import { Public } from '@wellifiy/auth';

export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

export const READINESS_CHECKS = Symbol('READINESS_CHECKS');

@Injectable()
export class ReadinessService {
  constructor(@Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[]) {}

  async run(timeoutMs = 2000): Promise<{ ready: boolean; checks: Record<string, string> }> {
    const results = await Promise.all(
      this.checks.map(async (c) => {
        try {
          await withTimeout(c.check(), timeoutMs, c.name);
          return [c.name, 'ok'] as const;
        } catch (err) {
          return [c.name, (err as Error).message || 'failed'] as const;
        }
      }),
    );
    return { ready: results.every(([, r]) => r === 'ok'), checks: Object.fromEntries(results) };
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, name: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${name} did not answer within ${ms} ms`)), ms);
    p.then((v) => (clearTimeout(t), resolve(v)), (e: unknown) => (clearTimeout(t), reject(e)));
  });
}

/** Liveness says the process runs; readiness says every dependency answers (503 otherwise). */
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  @Get('live')
  @HttpCode(200)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(): Promise<{ status: 'ok'; checks: Record<string, string> }> {
    const result = await this.readiness.run();
    if (!result.ready) {
      throw new HttpException({ statusCode: 503, error: 'Service Unavailable', message: 'not ready', checks: result.checks }, 503);
    }
    return { status: 'ok', checks: result.checks };
  }
}
