import { ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { Observable } from 'rxjs';
import { IS_PUBLIC_KEY } from '@wellifiy/auth';
import type { Actor } from '@wellifiy/contracts';
import { setContextOrg } from '@wellifiy/messaging';

@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(ctx: ExecutionContext): boolean | Promise<boolean> | Observable<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [ctx.getHandler(), ctx.getClass()])) return true;
    return super.canActivate(ctx);
  }

  override handleRequest<T>(err: unknown, user: T | false, info: unknown): T {
    if (err || !user) {
      const reason = info instanceof Error ? info.message : err instanceof Error ? err.message : 'missing bearer token';
      throw new UnauthorizedException(`invalid or missing token: ${reason}`);
    }
    // Log lines and traces of the rest of the request carry the actor's organisation.
    setContextOrg((user as unknown as Actor).orgId);
    return user;
  }
}
