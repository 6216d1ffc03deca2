import { MongoConfig } from '@wellifiy/config';

export class ActivationRulesConfig extends MongoConfig {}
