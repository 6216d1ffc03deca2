import type { ModelDefinition } from '@nestjs/mongoose';
import { PATIENT_KEY_MODEL, PatientKeySchema } from '../erasure/patient-key.schema';
import {
  MEDIA_CHUNK_MODEL, MEDIA_FILE_MODEL, MEDIA_GRANT_MODEL, MEDIA_READ_MODEL, MEDIA_TICKET_MODEL, MediaChunkSchema, MediaFileSchema, MediaGrantSchema, MediaReadSchema, MediaTicketSchema,
} from './media.schema';

/** The media store's collections, with the patient keys its content is sealed under: registered by the app module and the media integration suites. */
export const MEDIA_STORE_MODELS: ModelDefinition[] = [
  { name: MEDIA_FILE_MODEL, schema: MediaFileSchema },
  { name: MEDIA_CHUNK_MODEL, schema: MediaChunkSchema },
  { name: MEDIA_GRANT_MODEL, schema: MediaGrantSchema },
  { name: MEDIA_READ_MODEL, schema: MediaReadSchema },
  { name: MEDIA_TICKET_MODEL, schema: MediaTicketSchema },
  { name: PATIENT_KEY_MODEL, schema: PatientKeySchema },
];
