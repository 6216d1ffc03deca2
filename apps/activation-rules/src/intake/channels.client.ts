import { Injectable } from '@nestjs/common';
import { ActivateForPatientRequest, ActivateForPatientResult, Rpc } from '@wellifiy/contracts';
import { RpcClient } from '@wellifiy/messaging';

/** The channels service as the intake uses it (a port, so the intake's rules are tested without a broker). */
export abstract class ChannelsClient {
  abstract activateForPatient(req: ActivateForPatientRequest, correlationId?: string): Promise<ActivateForPatientResult>;
}

@Injectable()
export class RpcChannelsClient extends ChannelsClient {
  constructor(private readonly rpc: RpcClient) {
    super();
  }

  activateForPatient(req: ActivateForPatientRequest, correlationId?: string): Promise<ActivateForPatientResult> {
    return this.rpc.send(Rpc.ChannelsActivateForPatient, req, { correlationId });
  }
}
