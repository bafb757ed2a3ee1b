// Segment's tests walk with validate() first, as a sync does (GET / is also the workspace list).
import type { Connector } from '../../../shared/sync/connector.ts';
import { type Walked, walk as walkSyncers } from '../../support/walk.ts';

export { ids, type Walked } from '../../support/walk.ts';

export const walk = (connector: Connector): Promise<Walked> => walkSyncers(connector, { validate: true });
