import { PingRequest, PingResult, RpcEntry } from './common';

export const NotificationsRpc = {
  NotificationsPing: 'notifications.ping',
} as const;

export interface NotificationsRpcContract {
  [NotificationsRpc.NotificationsPing]: RpcEntry<PingRequest, PingResult>;
}

export const NOTIFICATIONS_RPC_REQUESTS: { [K in keyof NotificationsRpcContract]: new () => NotificationsRpcContract[K]['request'] } = {
  [NotificationsRpc.NotificationsPing]: PingRequest,
};
