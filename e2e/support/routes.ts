import { randomUUID } from 'node:crypto';
import { TINY_PNG } from '@wellifiy/testing';
import { api, ApiResponse } from './client';
import { gatewayUrl } from './system';

/** The ids a route needs; any may name something that does not exist when only the caller matters. */
export interface RouteIds {
  channelId: string;
  groupId?: string;
  messageId: string;
  patientId: string;
  userId: string;
}

export interface Route {
  label: string;
  method: string;
  path: string;
  body?: unknown;
  /** multipart upload (POST /v1/media): sent as FormData, not JSON. */
  upload?: boolean;
}

/**
 * Every authenticated REST route of the gateway (apps/gateway/src/**\/*.controller.ts), with a well-formed
 * request. The public ops routes (/health/*, /metrics, /docs) are not listed: they take no token.
 */
export function everyRoute(ids: RouteIds): Route[] {
  const ch = `/v1/channels/${ids.channelId}`;
  const msg = `${ch}/messages/${ids.messageId}`;
  return [
    { label: 'GET /v1/me', method: 'GET', path: '/v1/me' },
    { label: 'PATCH /v1/me/profile', method: 'PATCH', path: '/v1/me/profile', body: { displayName: 'Someone' } },
    { label: 'GET /v1/channels', method: 'GET', path: '/v1/channels' },
    { label: 'POST /v1/channels (dm)', method: 'POST', path: '/v1/channels', body: { type: 'dm', memberIds: [ids.userId] } },
    { label: 'GET /v1/channels/:id', method: 'GET', path: ch },
    { label: 'GET /v1/channels/:id/members', method: 'GET', path: `${ch}/members` },
    { label: 'POST /v1/channels/:id/members', method: 'POST', path: `${ch}/members`, body: { userId: ids.userId } },
    { label: 'DELETE /v1/channels/:id/members/:userId', method: 'DELETE', path: `${ch}/members/${ids.userId}` },
    { label: 'POST /v1/channels/:id/leave', method: 'POST', path: `${ch}/leave` },
    { label: 'POST /v1/channels/:id/archive', method: 'POST', path: `${ch}/archive` },
    { label: 'POST /v1/channels/:id/unarchive', method: 'POST', path: `${ch}/unarchive` },
    { label: 'POST /v1/patients/:patientId/channels/:type/activate', method: 'POST', path: `/v1/patients/${ids.patientId}/channels/service_team/activate` },
    { label: 'GET /v1/channels/:id/messages', method: 'GET', path: `${ch}/messages` },
    { label: 'POST /v1/channels/:id/messages', method: 'POST', path: `${ch}/messages`, body: { clientMessageId: randomUUID(), body: 'hello' } },
    { label: 'GET …/messages/:messageId/replies', method: 'GET', path: `${msg}/replies` },
    { label: 'POST …/messages/:messageId/replies', method: 'POST', path: `${msg}/replies`, body: { clientMessageId: randomUUID(), body: 'reply' } },
    { label: 'PATCH …/messages/:messageId', method: 'PATCH', path: msg, body: { body: 'edited', reason: 'correction' } },
    { label: 'DELETE …/messages/:messageId', method: 'DELETE', path: `${msg}?reason=correction` },
    { label: 'PUT …/messages/:messageId/reactions/:emoji', method: 'PUT', path: `${msg}/reactions/like` },
    { label: 'DELETE …/messages/:messageId/reactions/:emoji', method: 'DELETE', path: `${msg}/reactions/like` },
    { label: 'POST /v1/channels/:id/read', method: 'POST', path: `${ch}/read`, body: { seq: 1 } },
    { label: 'GET /v1/channels/:id/receipts', method: 'GET', path: `${ch}/receipts` },
    { label: 'GET /v1/me/badge', method: 'GET', path: '/v1/me/badge' },
    { label: 'GET /v1/me/notification-settings', method: 'GET', path: '/v1/me/notification-settings' },
    { label: 'PUT /v1/me/notification-settings', method: 'PUT', path: '/v1/me/notification-settings', body: { pushEnabled: true } },
    { label: 'GET /v1/users/:userId/notification-settings', method: 'GET', path: `/v1/users/${ids.patientId}/notification-settings` },
    { label: 'PUT /v1/users/:userId/notification-settings', method: 'PUT', path: `/v1/users/${ids.patientId}/notification-settings`, body: { pushEnabled: true } },
    { label: 'GET /v1/me/push-config', method: 'GET', path: '/v1/me/push-config' },
    {
      label: 'POST /v1/me/push-subscriptions',
      method: 'POST',
      path: '/v1/me/push-subscriptions',
      body: { endpoint: 'https://push.example/endpoint-1', keys: { p256dh: 'B'.repeat(87), auth: 'A'.repeat(22) } },
    },
    { label: 'DELETE /v1/me/push-subscriptions/:id', method: 'DELETE', path: '/v1/me/push-subscriptions/sub_nobody' },
    { label: 'POST /v1/media', method: 'POST', path: '/v1/media', upload: true },
    { label: 'GET /v1/media/:id', method: 'GET', path: '/v1/media/med_nobody' },
    { label: 'GET /v1/media/:id/thumbnail', method: 'GET', path: '/v1/media/med_nobody/thumbnail' },
    { label: 'GET /v1/admin/activation-rules/pending', method: 'GET', path: '/v1/admin/activation-rules/pending' },
    { label: 'GET /v1/admin/activation-rules/:type', method: 'GET', path: '/v1/admin/activation-rules/care_team' },
    { label: 'PUT /v1/admin/activation-rules/:type', method: 'PUT', path: '/v1/admin/activation-rules/care_team', body: { autoActivate: false, teamMemberIds: [] } },
    { label: 'GET /v1/admin/activation-rules/:type/history', method: 'GET', path: '/v1/admin/activation-rules/care_team/history' },
    { label: 'GET /v1/admin/audit', method: 'GET', path: '/v1/admin/audit' },
    { label: 'GET /v1/admin/audit/export', method: 'GET', path: '/v1/admin/audit/export?format=csv' },
    { label: 'GET /v1/admin/messages/:messageId/versions', method: 'GET', path: `/v1/admin/messages/${ids.messageId}/versions` },
    { label: 'GET /v1/admin/patients/:patientId/export', method: 'GET', path: `/v1/admin/patients/${ids.patientId}/export` },
    { label: 'GET /v1/admin/channels/needs-staffing', method: 'GET', path: '/v1/admin/channels/needs-staffing' },
  ];
}

/** Calls one route as `token`'s holder (JSON, or a small PNG for the upload). */
export async function callRoute(route: Route, token: string): Promise<ApiResponse> {
  if (!route.upload) return api(route.method, route.path, { token, body: route.body });
  const form = new FormData();
  form.append('file', new Blob([TINY_PNG], { type: 'image/png' }), 'pixel.png');
  const res = await fetch(`${gatewayUrl}${route.path}`, { method: route.method, headers: { authorization: `Bearer ${token}` }, body: form });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON
  }
  return { status: res.status, body, headers: res.headers };
}
