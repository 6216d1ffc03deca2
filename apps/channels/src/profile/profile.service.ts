import { Injectable } from '@nestjs/common';
import { Actor, MeView, Rpc } from '@wellifiy/contracts';
import { RpcClient } from '@wellifiy/messaging';
import { DirectoryService } from '../directory/directory.service';

export interface ProfileChange {
  displayName?: string | null;
  avatarMediaId?: string | null;
}

/**
 * A patient's own profile changes (PATCH /v1/me/profile). The avatar must be the patient's own image
 * upload: the messages service, which holds media, checks that (400 naming the problem otherwise) and makes
 * the image readable by whoever may see this profile — the patient and anyone sharing a channel with them —
 * before the directory stores the id. Asked first, so a refused avatar changes nothing.
 */
@Injectable()
export class ProfileService {
  constructor(
    private readonly directory: DirectoryService,
    private readonly rpc: RpcClient,
  ) {}

  async update(actor: Actor, change: ProfileChange): Promise<MeView> {
    if (actor.kind === 'patient' && change.avatarMediaId !== undefined) {
      await this.rpc.send(Rpc.MediaSetAvatar, { orgId: actor.orgId, userId: actor.userId, mediaId: change.avatarMediaId });
    }
    return this.directory.updateProfile(actor, change);
  }
}
