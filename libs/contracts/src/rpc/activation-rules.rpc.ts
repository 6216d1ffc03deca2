import { PingRequest, PingResult, RpcEntry } from './common';

export const ActivationRulesRpc = {
  ActivationRulesPing: 'activation-rules.ping',
} as const;

export interface ActivationRulesRpcContract {
  [ActivationRulesRpc.ActivationRulesPing]: RpcEntry<PingRequest, PingResult>;
}

export const ACTIVATION_RULES_RPC_REQUESTS: { [K in keyof ActivationRulesRpcContract]: new () => ActivationRulesRpcContract[K]['request'] } = {
  [ActivationRulesRpc.ActivationRulesPing]: PingRequest,
};
