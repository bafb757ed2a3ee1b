import { makeSyncHandler } from '../../shared/aws/handler.ts';
import { segmentConnector } from './connector.ts';

export const handler = makeSyncHandler(segmentConnector);
