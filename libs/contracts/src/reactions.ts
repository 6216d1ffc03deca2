import { IsBoolean, IsInt, IsOptional, IsString, Min, MinLength } from 'class-validator';

/** Reactions clients may send by name (`like` is the product's "like"). Anything else must be one emoji. */
export const REACTION_NAMES = ['like', 'love', 'laugh', 'wow', 'sad', 'angry', 'thanks', 'celebrate', 'thumbs_up', 'thumbs_down'] as const;
export const REACTION_MAX_LENGTH = 32;
/** Distinct reactions one message may carry: every view and `reaction.updated` event lists them all. */
export const REACTIONS_PER_MESSAGE_MAX = 32;

const PICTOGRAPH = /\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20e3/u;
// One emoji: pictographs, flags and keycaps joined by ZWJ, with variation selectors and skin-tone modifiers.
const EMOJI_ONLY = /^(?:\p{Extended_Pictographic}|\p{Regional_Indicator}|\p{Emoji_Modifier}|\u200d|\ufe0f|\u20e3|[#*0-9])+$/u;
const EMOJI_MAX_CODE_POINTS = 10;

/** A known reaction name or one short unicode emoji; never free text (stored values are shown to everyone). */
export function isValidReaction(value: unknown): value is string {
  if (typeof value !== 'string' || !value || value.length > REACTION_MAX_LENGTH) return false;
  if ((REACTION_NAMES as readonly string[]).includes(value)) return true;
  return EMOJI_ONLY.test(value) && PICTOGRAPH.test(value) && [...value].length <= EMOJI_MAX_CODE_POINTS;
}

/** One reaction on a message, rendered for the viewer (`me`: the viewer reacted so; absent in broadcast events). */
export class ReactionSummary {
  @IsString() @MinLength(1)
  emoji!: string;

  @IsInt() @Min(1)
  count!: number;

  @IsOptional() @IsBoolean()
  me?: boolean;
}

/**
 * Who changed or removed a message, as participants see it: the author, staff (`messaging:manage`), the
 * organisation's retention period (content purged) or the erasure of a patient (content unreadable).
 */
export const MESSAGE_CHANGED_BY = ['author', 'staff', 'retention', 'erasure'] as const;
export type MessageChangedBy = (typeof MESSAGE_CHANGED_BY)[number];
