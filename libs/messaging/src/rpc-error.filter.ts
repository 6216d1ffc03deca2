import { ArgumentsHost, Catch } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { Observable, throwError } from 'rxjs';

/**
 * Nest's default RPC filter turns every error into a generic "Internal server error". In RPC context this
 * hands the error to AmqpServer unchanged, which keeps DomainError codes and logs anything unexpected once;
 * HTTP errors (the probes) keep Nest's default handling.
 */
@Catch()
export class RpcPassthroughFilter extends BaseExceptionFilter {
  override catch(exception: unknown, host: ArgumentsHost): Observable<never> | void {
    if (host.getType() === 'rpc') return throwError(() => exception);
    return super.catch(exception, host);
  }
}
