import type { InventoryCollection } from '../api/api-types';
import { useApi, type ApiData } from '../api/use-api';

/** The inventory collections and their fields (GET /inventory): what tables show, sort and filter on. */
export function useInventoryCatalog(): ApiData<InventoryCollection[]> {
  return useApi('inventory catalog', (api) => api.get<InventoryCollection[]>('/inventory'));
}
