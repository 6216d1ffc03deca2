import { ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { Observable } from 'rxjs';
import { IS_PUBLIC_KEY } from '@wellifiy/auth';

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
    return user;
  }
}
