import { makeSyncHandler } from '../../shared/aws/handler.ts';
import { fullstoryConnector } from './connector.ts';

export const handler = makeSyncHandler(fullstoryConnector);
