import { makeSyncHandler } from '../../shared/aws/handler.ts';
import { slackConnector } from './connector.ts';

export const handler = makeSyncHandler(slackConnector);
