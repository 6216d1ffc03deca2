import { MongoConfig } from '@wellifiy/config';

export class NotificationsConfig extends MongoConfig {}
