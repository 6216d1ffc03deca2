import { Controller, Get, Res } from '@nestjs/common';
import { HealthCheck, HealthCheckResult, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { Response } from 'express';
import { Public } from '@wellifiy/auth';
import { SERVICES } from '@wellifiy/contracts';
import { answerHealth } from '@wellifiy/ops';
import { ServiceAvailability } from './service-availability';

/**
 * GET /health/services: the downstream services as the gateway sees them (terminus result; 503 when one is down).
 * Not a probe: a service being down degrades its routes (503) but does not take the gateway out of rotation.
 */
@Public()
@Controller('health')
export class ServicesHealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly availability: ServiceAvailability,
  ) {}

  @Get('services')
  @HealthCheck()
  services(@Res({ passthrough: true }) res: Response): Promise<HealthCheckResult> {
    return answerHealth(
      this.health,
      SERVICES.map((service) => async () => {
        const session = this.indicators.check(service);
        const state = this.availability.of(service);
        return state === 'down' ? session.down({ message: 'no instance consumes its commands' }) : session.up({ state });
      }),
      res,
    );
  }
}
