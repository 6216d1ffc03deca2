import { ACTIVATION_RULES_RPC_REQUESTS, ActivationRulesRpc, ActivationRulesRpcContract } from './rpc/activation-rules.rpc';
import { CHANNELS_RPC_REQUESTS, ChannelsRpc, ChannelsRpcContract } from './rpc/channels.rpc';
import { ServiceName } from './rpc/common';
import { MEDIA_RPC_REQUESTS, MediaRpc, MediaRpcContract } from './rpc/media.rpc';
import { MESSAGES_RPC_REQUESTS, MessagesRpc, MessagesRpcContract } from './rpc/messages.rpc';
import { NOTIFICATIONS_RPC_REQUESTS, NotificationsRpc, NotificationsRpcContract } from './rpc/notifications.rpc';
import { PATIENT_EXPORT_RPC_REQUESTS, PatientExportRpc, PatientExportRpcContract } from './rpc/patient-export.rpc';

export * from './rpc/activation-rules.rpc';
export * from './rpc/channels.rpc';
export * from './rpc/common';
export * from './rpc/media.rpc';
export * from './rpc/messages.rpc';
export * from './rpc/notifications.rpc';
export * from './rpc/patient-export.rpc';

/** Every RPC name. Each service's commands are declared in rpc/<service>.rpc.ts. */
export const Rpc = { ...ChannelsRpc, ...MessagesRpc, ...MediaRpc, ...NotificationsRpc, ...ActivationRulesRpc, ...PatientExportRpc } as const;
export type RpcName = (typeof Rpc)[keyof typeof Rpc];

/** The RPC type map: name → request class and result type. */
export type RpcContract = ChannelsRpcContract & MessagesRpcContract & MediaRpcContract & NotificationsRpcContract & ActivationRulesRpcContract
  & PatientExportRpcContract;
export type RpcRequest<K extends RpcName> = RpcContract[K]['request'];
export type RpcResult<K extends RpcName> = RpcContract[K]['result'];

export const RPC_REQUEST_CLASSES: { [K in RpcName]: new () => RpcRequest<K> } = {
  ...CHANNELS_RPC_REQUESTS,
  ...MESSAGES_RPC_REQUESTS,
  ...MEDIA_RPC_REQUESTS,
  ...NOTIFICATIONS_RPC_REQUESTS,
  ...ACTIVATION_RULES_RPC_REQUESTS,
  ...PATIENT_EXPORT_RPC_REQUESTS,
};

export const PING_RPC: Record<ServiceName, RpcName> = {
  channels: Rpc.ChannelsPing,
  messages: Rpc.MessagesPing,
  notifications: Rpc.NotificationsPing,
  'activation-rules': Rpc.ActivationRulesPing,
};
