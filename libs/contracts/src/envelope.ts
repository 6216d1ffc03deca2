import { Type } from 'class-transformer';
import { IsDefined, IsISO8601, IsObject, IsOptional, IsString, MaxLength, MinLength, ValidateNested } from 'class-validator';

/**
 * CloudEvents-style envelope used for every event on the `wellifiy.events` exchange,
 * whether published by our services or by the patient service / staff directory.
 */
export interface EventEnvelope<T = unknown> {
  id: string;
  type: string;
  source: string;
  time: string;
  orgId: string;
  data: T;
  correlationId?: string;
}

export class EnvelopeHeader {
  @IsString() @MinLength(1) @MaxLength(200)
  id!: string;

  @IsString() @MinLength(1) @MaxLength(200)
  type!: string;

  @IsString() @MinLength(1) @MaxLength(200)
  source!: string;

  @IsISO8601()
  time!: string;

  @IsString() @MinLength(1) @MaxLength(128)
  orgId!: string;

  @IsOptional() @IsString() @MaxLength(200)
  correlationId?: string;
}

type Ctor<T> = new (...args: any[]) => T;

/** Builds a validated envelope class whose `data` is an instance of `dataClass`. */
export function envelopeOf<T extends object>(dataClass: Ctor<T>): Ctor<EnvelopeHeader & { data: T }> {
  class Envelope extends EnvelopeHeader {
    @IsDefined() @IsObject() @ValidateNested() @Type(() => dataClass)
    data!: T;
  }
  Object.defineProperty(Envelope, 'name', { value: `${dataClass.name}Envelope` });
  return Envelope;
}
