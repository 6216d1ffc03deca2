import { MongoConfig } from '@wellifiy/config';

export class ChannelsConfig extends MongoConfig {}
