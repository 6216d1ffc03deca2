import http from 'node:http';
import https from 'node:https';
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

  /**
   * Streams an upload to the messages service's internal endpoint (backpressure end to end: at most a few
   * socket buffers of it are in memory). Past `maxBytes` (the parser stops there and says so) the upstream
   * request is aborted — the messages service then drops what it had — and PAYLOAD_TOO_LARGE is returned. An
   * early answer of the messages service (a type or size refusal) ends the upload at once; the rest of the
   * client's body is read and dropped so that answer reaches the client.
   */
  async upload(actor: Actor, file: Readable, maxBytes: number, correlationId?: string): Promise<MediaView> {
    let ticket: string;
    try {
      ({ ticket } = await this.rpc.send(Rpc.MediaUploadTicket, { actor }, { correlationId }));
    } catch (err) {
      file.resume(); // the body is read and dropped, so the error reaches the client
      throw err;
    }
    // The client's body may have broken off while the ticket was asked for.
    if (file.errored) throw new DomainError(ErrorCode.ValidationFailed, `the upload was interrupted: ${file.errored.message}`);
    const url = new URL(`${this.base}/internal/media/${encodeURIComponent(actor.orgId)}/uploads/${encodeURIComponent(ticket)}`);
    return new Promise<MediaView>((resolve, reject) => {
      let settled = false;
      const settle = (outcome: () => void): void => {
        if (settled) return;
        settled = true;
        outcome();
      };
      const stopReading = (): void => {
        file.unpipe(upstream);
        file.resume();
      };
      const upstream = (url.protocol === 'https:' ? https : http).request(url, {
        method: 'POST',
        // A connection of its own (uploads are few and long): an upload cut short never leaves a pooled socket
        // half used, and none is reused just as the other side closes it.
        agent: false,
        headers: { 'content-type': 'application/octet-stream', ...(correlationId ? { 'x-correlation-id': correlationId } : {}) },
      });
      upstream.on('response', (res) => {
        const parts: Buffer[] = [];
        res.on('data', (chunk: Buffer) => parts.push(chunk));
        res.on('end', () => {
          let body: unknown = null;
          try {
            body = JSON.parse(Buffer.concat(parts).toString('utf8'));
          } catch {
            body = null;
          }
          settle(() => (res.statusCode === 201 ? resolve(body as MediaView) : reject(asDomainError(res.statusCode ?? 502, body))));
          stopReading();
          upstream.destroy();
        });
      });
      upstream.on('error', (err) => settle(() => reject(new DomainError(ErrorCode.ServiceUnavailable, `media store unreachable: ${err.message}`))));
      file.on('limit', () => {
        settle(() => reject(new DomainError(ErrorCode.PayloadTooLarge, `uploads may be at most ${maxBytes} bytes`)));
        stopReading();
        upstream.destroy();
      });
      file.on('error', (err) => {
        settle(() => reject(new DomainError(ErrorCode.ValidationFailed, `the upload was interrupted: ${err.message}`)));
        upstream.destroy();
      });
      file.pipe(upstream);
    });
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
