import { Controller, Get, HttpCode, HttpException, Inject, Injectable, Res } from '@nestjs/common';
import { HealthCheck, HealthCheckResult, HealthCheckService, HealthIndicatorFunction, HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import type { Response } from 'express';
import { Public } from '@wellifiy/auth';
import { gauge } from './metrics';

/** A dependency check an app adds to its readiness (e.g. Redis through a BullMQ queue): resolves when it answers. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

/** The terminus indicators /health/ready runs (OpsModule builds them). */
export const READINESS_INDICATORS = Symbol('READINESS_INDICATORS');

/** How long one dependency may take to answer a readiness check. */
export const READINESS_TIMEOUT_MS = 2000;

/** Turns plain checks into terminus indicators: `up`, or `down` with the check's error message. */
@Injectable()
export class CheckIndicators {
  constructor(private readonly indicators: HealthIndicatorService) {}

  of(check: ReadinessCheck, timeoutMs = READINESS_TIMEOUT_MS): HealthIndicatorFunction {
    return async (): Promise<HealthIndicatorResult> => {
      const session = this.indicators.check(check.name);
      try {
        await withTimeout(check.check(), timeoutMs, check.name);
        return session.up();
      } catch (err) {
        return session.down({ message: (err as Error).message || 'failed' });
      }
    };
  }
}

export function withTimeout<T>(p: Promise<T>, ms: number, name: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${name} did not answer within ${ms} ms`)), ms);
    p.then((v) => (clearTimeout(t), resolve(v)), (e: unknown) => (clearTimeout(t), reject(e)));
  });
}

const ready = gauge('health_ready', 'Whether the last readiness check of this process passed (1) or not (0)');

/**
 * Runs terminus indicators and answers with terminus's result (`{ status, info, error, details }`): 200 when every
 * indicator is up, 503 (with Retry-After) otherwise. Written here rather than thrown so that every app — the
 * gateway's error filter included — answers with the same body.
 */
export async function answerHealth(health: HealthCheckService, indicators: HealthIndicatorFunction[], res: Response): Promise<HealthCheckResult> {
  try {
    const result = await health.check(indicators);
    res.status(200);
    return result;
  } catch (err) {
    if (!(err instanceof HttpException) || err.getStatus() !== 503) throw err;
    res.status(503).setHeader('Retry-After', '1');
    return err.getResponse() as HealthCheckResult;
  }
}

/** Liveness says the process runs; readiness says every dependency of this process answers (503 otherwise). */
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    @Inject(READINESS_INDICATORS) private readonly indicators: HealthIndicatorFunction[],
  ) {}

  @Get('live')
  @HttpCode(200)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck()
  async ready(@Res({ passthrough: true }) res: Response): Promise<HealthCheckResult> {
    const result = await answerHealth(this.health, this.indicators, res);
    ready.set(result.status === 'ok' ? 1 : 0);
    return result;
  }
}
