import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { Injectable } from '@nestjs/common';
import { Actor, DomainError, ErrorCode, isErrorBody, MediaVariant, MediaView, Rpc } from '@wellifiy/contracts';
import { RpcClient } from '@wellifiy/messaging';
import { GatewayConfig } from '../config/gateway.config';

export interface MediaStream {
  status: number;
  headers: Record<string, string>;
  body: Readable | null;
}

/** Response headers of the messages service passed on to clients. */
const PASSED_HEADERS = ['content-type', 'content-length', 'content-range', 'accept-ranges'];

/**
 * The gateway's side of media. Authorization goes over RPC (the messages service checks uploader /
 * channel membership, audits the read and returns a short-lived ticket); the bytes then move over the
 * messages service's internal HTTP endpoint, never through RabbitMQ and never into another service's database.
 */
@Injectable()
export class MediaStoreClient {
  private readonly base: string;

  constructor(
    private readonly rpc: RpcClient,
    config: GatewayConfig,
  ) {
    this.base = config.MESSAGES_INTERNAL_URL.replace(/\/$/, '');
  }

  async upload(actor: Actor, bytes: Buffer, correlationId?: string): Promise<MediaView> {
    const { ticket } = await this.rpc.send(Rpc.MediaUploadTicket, { actor }, { correlationId });
    const res = await fetch(`${this.base}/internal/media/${encodeURIComponent(actor.orgId)}/uploads/${encodeURIComponent(ticket)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', ...(correlationId ? { 'x-correlation-id': correlationId } : {}) },
      body: bytes,
    });
    const body: unknown = await res.json().catch(() => null);
    if (!res.ok) throw asDomainError(res.status, body);
    return body as MediaView;
  }

  async open(actor: Actor, mediaId: string, variant: MediaVariant, range: string | undefined, correlationId?: string): Promise<MediaStream> {
    const { ticket } = await this.rpc.send(Rpc.MediaReadTicket, { actor, mediaId, variant }, { correlationId });
    const res = await fetch(`${this.base}/internal/media/${encodeURIComponent(actor.orgId)}/tickets/${encodeURIComponent(ticket)}`, {
      headers: { ...(range ? { range } : {}), ...(correlationId ? { 'x-correlation-id': correlationId } : {}) },
    });
    if (res.status >= 400 && res.status !== 416) throw asDomainError(res.status, await res.json().catch(() => null));
    const headers: Record<string, string> = {};
    for (const name of PASSED_HEADERS) {
      const value = res.headers.get(name);
      if (value !== null) headers[name] = value;
    }
    return { status: res.status, headers, body: res.body ? Readable.fromWeb(res.body as WebReadableStream<Uint8Array>) : null };
  }
}

function asDomainError(status: number, body: unknown): DomainError {
  if (isErrorBody(body)) return new DomainError(body.code, body.message);
  return new DomainError(ErrorCode.ServiceUnavailable, `media store answered ${status}`);
}
