import { makeSyncHandler } from '../../shared/aws/handler.ts';
import { connector } from './connector.ts';

export const handler = makeSyncHandler(connector);
