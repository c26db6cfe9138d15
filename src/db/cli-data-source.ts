import { loadConfig } from '../config/load-config';
import { createDataSource } from './data-source';

/**
 * The data source TypeORM's own CLI loads (`npm run migration:generate -- migrations/Name`), configured like the
 * fleet. Only that CLI imports this file.
 */
export default createDataSource({ databaseUrl: loadConfig().databaseUrl, applicationName: 'provider-fleet-migrations' });
