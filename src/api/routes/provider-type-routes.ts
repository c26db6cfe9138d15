import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { getMetadataArgsStorage } from 'typeorm';
import type { AnyProviderType } from '../../providers/provider';
import { NotFoundError } from '../../errors';
import type { ApiContext } from '../api-context';
import { errorResponses } from '../schemas/common-schemas';
import { ProviderTypeView } from '../schemas/provider-schemas';

/** The provider types: what a provider of each needs (schemas, the add-provider form, regions) and what it has. */
export const providerTypeRoutes: FastifyPluginAsyncTypebox<{ context: ApiContext }> = async (app, { context }) => {
  app.addSchema(ProviderTypeView);

  app.get('/provider-types', {
    schema: { tags: ['provider types'], summary: 'list provider types', response: { 200: Type.Array(Type.Ref('ProviderType')), ...errorResponses } },
  }, async () => Object.values(context.types).map(typeView));

  app.get('/provider-types/:type', {
    schema: {
      tags: ['provider types'], summary: 'one provider type with its config schema, add-provider form and regions',
      params: Type.Object({ type: Type.String({ maxLength: 64 }) }), response: { 200: Type.Ref('ProviderType'), ...errorResponses },
    },
  }, async (request) => {
    const type = Object.hasOwn(context.types, request.params.type) ? context.types[request.params.type] : undefined;
    if (!type) throw new NotFoundError(`no provider type "${request.params.type}"`);
    return typeView(type);
  });
};

/** The inventory table an entity class is stored in: the name its collection has under /inventory. */
function tableOf(entity: new () => unknown): string {
  return getMetadataArgsStorage().tables.find((table) => table.target === entity)?.name ?? entity.name;
}

function typeView(type: AnyProviderType): ProviderTypeView {
  return {
    type: type.type, title: type.title, managerKind: type.managerKind, regions: type.regions ? [...type.regions] : null,
    configSchema: type.configSchema, credentialsSchema: type.credentialsSchema, form: type.form,
    collections: Object.entries(type.inventory).map(([name, definition]) => ({ name, inventory: tableOf(definition.entity) })),
    targetable: [...type.targetable], events: type.events !== undefined, metrics: type.metrics !== undefined,
    operations: Object.entries(type.operations ?? {}).map(([name, spec]) => ({
      name, collection: spec.collection, inventory: Object.hasOwn(type.inventory, spec.collection) ? tableOf(type.inventory[spec.collection].entity) : spec.collection,
      title: spec.title, parameters: spec.parameters ?? null, priority: spec.priority, timeoutSeconds: spec.timeoutSeconds, destructive: spec.destructive ?? false,
    })),
  };
}
