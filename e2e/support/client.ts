import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import type { Socket } from 'socket.io-client';
import { expectEventually, GatewayClient, GatewayRequest, GatewayResponse, socketReady, tokenFor, TestUser } from '@wellifiy/testing';
import { loadOpenApiConformance, OpenApiConformance } from './openapi-conformance';
import { e2eAmqpUrl, gatewayUrl } from './system';

export type ApiResponse<T = any> = GatewayResponse<T>;

const gateway = new GatewayClient(gatewayUrl);

let conformance: Promise<OpenApiConformance> | undefined;
/** Responses of the current test that did not match the gateway's OpenAPI document. */
const mismatches: string[] = [];

/*
 * Every response api() receives is checked against the OpenAPI document the gateway serves; a test that got
 * one that does not match fails after it ran (so each spec that calls api() also checks the document).
 */
if (typeof afterEach === 'function') {
  afterEach(() => {
    const found = mismatches.splice(0);
    if (found.length) throw new Error(`responses not as documented in the OpenAPI document:\n${found.join('\n')}`);
  });
}

/** HTTP against the running gateway, as a client app would call it. */
export async function api<T = any>(method: string, path: string, opts: GatewayRequest = {}): Promise<ApiResponse<T>> {
  const res = await gateway.request<T>(method, path, opts);
  conformance ??= loadOpenApiConformance(gatewayUrl);
  const mismatch = (await conformance).check(method, path, res.status, res.headers.get('content-type'), res.body);
  if (mismatch) mismatches.push(mismatch);
  return res;
}

/** Publishes an inbound event exactly as the patient service / staff directory do: plain amqplib, CloudEvents JSON. */
export async function publishInbound(type: string, orgId: string, data: unknown, opts: { id?: string; raw?: Buffer } = {}): Promise<string> {
  const id = opts.id ?? `evt_${randomUUID()}`;
  const conn = await amqp.connect(e2eAmqpUrl());
  try {
    const ch = await conn.createConfirmChannel();
    const content = opts.raw ?? Buffer.from(JSON.stringify({ id, type, source: 'patient-service', time: new Date().toISOString(), orgId, data }));
    ch.publish('wellifiy.events', type, content, { persistent: true, contentType: 'application/json', messageId: id });
    await ch.waitForConfirms();
  } finally {
    await conn.close();
  }
  return id;
}

/** An inbound event sent to one queue only (the default exchange), bypassing every other consumer's binding. */
export async function publishToQueue(queue: string, type: string, orgId: string, data: unknown): Promise<string> {
  const id = `evt_${randomUUID()}`;
  const conn = await amqp.connect(e2eAmqpUrl());
  try {
    const ch = await conn.createConfirmChannel();
    const content = Buffer.from(JSON.stringify({ id, type, source: 'staff-directory', time: new Date().toISOString(), orgId, data }));
    ch.sendToQueue(queue, content, { persistent: true, contentType: 'application/json', messageId: id });
    await ch.waitForConfirms();
  } finally {
    await conn.close();
  }
  return id;
}

export interface RealtimeClient {
  socket: Socket;
  events: { name: string; payload: any }[];
  received(name: string): any[];
  /** Why the server or the client ended the connection (Socket.IO's reason), once it has ended. */
  disconnectReason: string | null;
  close(): void;
}

export interface ConnectOptions {
  /** Another gateway replica (default: the system's gateway). */
  url?: string;
  /** Handshake headers, e.g. a browser's Origin. */
  extraHeaders?: Record<string, string>;
}

const clientOf = (opts: ConnectOptions): GatewayClient => (opts.url ? new GatewayClient(opts.url) : gateway);

/** A Socket.IO client that records every event it receives; resolves once the server has joined its rooms. */
export async function connectRealtime(token: string, opts: ConnectOptions = {}): Promise<RealtimeClient> {
  const socket = clientOf(opts).socket(token, opts);
  const events: { name: string; payload: any }[] = [];
  socket.onAny((name: string, payload: unknown) => events.push({ name, payload }));
  const client: RealtimeClient = {
    socket,
    events,
    received: (name) => events.filter((e) => e.name === name).map((e) => e.payload),
    disconnectReason: null,
    close: () => socket.close(),
  };
  socket.on('disconnect', (reason) => {
    client.disconnectReason = reason;
  });
  await socketReady(socket);
  return client;
}

/** Resolves with the connect_error (message, and the server's `data`), or rejects if the connection was accepted. */
export function connectionRefusal(auth: Record<string, unknown>, opts: ConnectOptions = {}): Promise<string> {
  return connectionRefusalDetail(auth, opts).then((r) => r.message);
}

export function connectionRefusalDetail(auth: Record<string, unknown>, opts: ConnectOptions = {}): Promise<{ message: string; data: any }> {
  const socket = clientOf(opts).socket(auth, opts);
  return new Promise((resolve, reject) => {
    socket.once('connect_error', (err) => {
      socket.close();
      resolve({ message: err.message, data: (err as Error & { data?: unknown }).data });
    });
    socket.once('connect', () => {
      socket.close();
      reject(new Error('connection was accepted'));
    });
  });
}

export interface Org {
  orgId: string;
  teamMember(id?: string, perms?: string[]): Promise<TestUser & { token: string }>;
  patient(id?: string, extra?: Record<string, unknown>): Promise<TestUser & { token: string }>;
}

/**
 * A fresh organisation. Users are introduced the way production does it — events from the staff
 * directory and the patient service — and returned once the channels service knows them.
 */
export function newOrg(): Org {
  const orgId = `org_${randomUUID().slice(0, 8)}`;
  const known = async (token: string): Promise<void> => {
    await expectEventually(async () => {
      const me = await api('GET', '/v1/me', { token });
      expect(me.body.firstName).toEqual(expect.any(String));
    });
  };
  return {
    orgId,
    async teamMember(id = `tm_${randomUUID().slice(0, 8)}`, perms: string[] = []) {
      const user: TestUser = { userId: id, orgId, kind: 'team_member', perms };
      await publishInbound('team-member.created', orgId, { teamMemberId: id, firstName: 'Tess', lastName: `Member-${id}`, email: `${id}@clinic.example` });
      const token = tokenFor(user);
      await known(token);
      return { ...user, token };
    },
    async patient(id = `pt_${randomUUID().slice(0, 8)}`, extra: Record<string, unknown> = {}) {
      const user: TestUser = { userId: id, orgId, kind: 'patient' };
      await publishInbound('patient.created', orgId, { patientId: id, firstName: 'Pat', lastName: `Surname-${id}`, ...extra });
      const token = tokenFor(user);
      await known(token);
      return { ...user, token };
    },
  };
}
