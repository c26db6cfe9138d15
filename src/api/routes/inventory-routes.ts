import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import type { ApiContext } from '../api-context';
import { InventoryCatalog, type InventoryCollection } from '../inventory/inventory-catalog';
import { InventoryReader } from '../inventory/inventory-reader';
import { DEFAULT_LIMIT, MAX_LIMIT } from '../inventory/list-query';
import { RELATED_LIST_CAP } from '../inventory/row-statement';
import { errorResponses } from '../schemas/common-schemas';
import {
  EXACT_TOTAL_LIMIT, InventoryCollectionParams, InventoryCollectionView, InventoryPageView, InventoryRowParams, InventoryRowView, InventoryRowWithRelationsView,
} from '../schemas/inventory-schemas';

const LIST_DESCRIPTION = `
The collection's rows, a page at a time. Fields and their types are listed by GET /inventory. Parameters:

- \`field=value\`: equal (given more than once: any of the values), e.g. \`providerId=1&powerState=running\`
- \`field.gt\`, \`field.gte\`, \`field.lt\`, \`field.lte\` \`=value\`: compared, e.g. \`launchedAt.gte=2026-01-01T00:00:00Z\`
- \`field.null=true|false\`: has no value / has one, e.g. \`archivedAt.null=true\` for the objects still at the provider
- \`q=text\`: the name contains the text, in any case
- \`sort=field\` or \`sort=-field\` (descending); ties in id order; NULLs last (first when descending); default \`id\`
- \`limit\`: 1 to ${MAX_LIMIT}, default ${DEFAULT_LIMIT}
- \`after\`: the \`next\` of the page before (with the same sort)
- \`fields=a,b\`: the fields of each row (the id always); by default all but JSON documents such as \`raw\`
- \`total=true\`: the page also gives \`total\`, the whole list's size: counted up to ${EXACT_TOTAL_LIMIT}, the planner's estimate above (\`estimated: true\`)

Values must fit their field (an integer, a timestamp, true/false...). Ids are strings of digits, timestamps ISO 8601
in UTC with microseconds. Archived objects (archivedAt set) are included.`;

/** The inventory: the catalog of collections, pages of a collection, and one object with its relations. */
export const inventoryRoutes: FastifyPluginAsyncTypebox<{ context: ApiContext }> = async (app, { context }) => {
  const catalog = InventoryCatalog.fromDataSource(context.dataSource);
  const reader = new InventoryReader({ dataSource: context.dataSource, catalog });
  const catalogView = catalog.list().map(collectionView);
  const tags = ['inventory'];
  app.addSchema(InventoryCollectionView);
  app.addSchema(InventoryRowView);

  app.get('/inventory', {
    schema: {
      tags, summary: 'the inventory collections with their fields (type, filterable, sortable) and relations',
      response: { 200: Type.Array(Type.Ref('InventoryCollection')), ...errorResponses },
    },
  }, async () => catalogView);

  app.get('/inventory/:collection', {
    schema: {
      tags, summary: 'a page of a collection\'s rows: filtered, searched, sorted', description: LIST_DESCRIPTION,
      // The parameters depend on the collection's fields: the reader checks them all and refuses the unknown.
      params: InventoryCollectionParams, querystring: Type.Object({}, { additionalProperties: true }),
      response: { 200: InventoryPageView, ...errorResponses },
    },
  }, async (request, reply) => sendJson(reply, await reader.pageJson(request.params.collection, request.query)));

  app.get('/inventory/:collection/:id', {
    schema: {
      tags, summary: 'one row with its relations',
      description: `The row with all its fields and \`relations\`: per reference the related row or null (a VM's flavor, host), per list the
rows pointing at it in id order (a VM's volumes; its security groups through the join collection), at most
${RELATED_LIST_CAP}; \`relationsTruncated\` names the lists that have more (GET /inventory names the field to list them all by).
Related rows have their fields but not their JSON documents.`,
      params: InventoryRowParams, response: { 200: InventoryRowWithRelationsView, ...errorResponses },
    },
  }, async (request, reply) => sendJson(reply, await reader.rowJson(request.params.collection, request.params.id)));
};

/**
 * Sends JSON text the reader made as it is: fastify passes a string through when the content type says JSON. The
 * response schemas above document the answers; the rows' fields differ per collection, which they cannot describe.
 */
function sendJson(reply: FastifyReply, json: string): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(json);
}

function collectionView(collection: InventoryCollection): InventoryCollectionView {
  return {
    name: collection.name,
    searchable: collection.nameField !== null,
    fields: collection.fields.map((field) => ({ name: field.name, type: field.type, filterable: field.comparable, sortable: field.comparable })),
    relations: collection.relations.map((relation) => ({
      name: relation.name, kind: relation.kind, collection: relation.collection,
      ...('field' in relation ? { field: relation.field } : {}),
      ...('via' in relation ? { via: relation.via.collection } : {}),
    })),
  };
}
