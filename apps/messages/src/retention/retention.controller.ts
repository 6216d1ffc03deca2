import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  ErasePatientRequest, GetRetentionRequest, LegalHoldPage, LegalHoldView, ListLegalHoldsRequest, PatientErasure, PlaceLegalHoldRequest,
  PutRetentionRequest, ReleaseLegalHoldRequest, RetentionSettings, Rpc,
} from '@wellifiy/contracts';
import { ErasureService } from '../erasure/erasure.service';
import { RetentionService } from './retention.service';

@Controller()
export class RetentionController {
  constructor(
    private readonly retention: RetentionService,
    private readonly erasure: ErasureService,
  ) {}

  @MessagePattern(Rpc.MessagesRetentionGet)
  get(@Payload() req: GetRetentionRequest): Promise<RetentionSettings> {
    return this.retention.get(req.actor);
  }

  @MessagePattern(Rpc.MessagesRetentionPut)
  put(@Payload() req: PutRetentionRequest): Promise<RetentionSettings> {
    return this.retention.put(req);
  }

  @MessagePattern(Rpc.MessagesLegalHoldPlace)
  place(@Payload() req: PlaceLegalHoldRequest): Promise<LegalHoldView> {
    return this.retention.place(req);
  }

  @MessagePattern(Rpc.MessagesLegalHoldList)
  list(@Payload() req: ListLegalHoldsRequest): Promise<LegalHoldPage> {
    return this.retention.list(req);
  }

  @MessagePattern(Rpc.MessagesLegalHoldRelease)
  release(@Payload() req: ReleaseLegalHoldRequest): Promise<LegalHoldView> {
    return this.retention.release(req);
  }

  @MessagePattern(Rpc.MessagesPatientErase)
  erase(@Payload() req: ErasePatientRequest): Promise<PatientErasure> {
    return this.erasure.erase(req);
  }
}
