import { expect } from 'chai';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../src/db/data-source';
import type { RefreshOutcome } from '../../src/core/refresh/refresh-outcome';
import { withProviderTypeModules } from '../../src/providers/provider-type-modules';
import { tablesOfTypes } from '../../src/providers/provider-type-tables';
import { ApiFixture } from '../support/api-fixture';
import { runFleet, type CliResult } from '../support/fleet-cli';
import { createScratchDatabase, testEnv } from '../support/test-env';

/** The compiled repository's root (tests run from dist/test). */
const ROOT = resolve(__dirname, '..', '..', '..');
/** A provider type kept outside the fleet's source, as an operator's own: it imports only `provider-fleet/sdk`. */
const LIBRARY_MODULE = join(__dirname, '..', 'fixtures', 'library-type');

interface Row {
  id: string;
  name: string;
  [field: string]: unknown;
}

describe('the provider SDK', function () {
  this.timeout(60_000);

  it('is the package\'s `provider-fleet/sdk`, built with its types', () => {
    const entry = require.resolve('provider-fleet/sdk', { paths: [ROOT] });
    expect(entry).to.equal(join(ROOT, 'dist', 'src', 'providers', 'sdk.js'));
    expect(existsSync(join(ROOT, 'dist', 'src', 'providers', 'sdk.d.ts'))).to.equal(true);
    // The same module the fleet loads, so a type's entities extend the fleet's own InventoryRecord.
    expect(require('provider-fleet/sdk')).to.equal(require('../../src/providers/sdk'));
  });

  describe('a provider type module with tables of its own', () => {
    let cwd: string;
    let database: { url: string; drop: () => Promise<void> };
    let dataSource: DataSource | undefined;
    let api: ApiFixture | undefined;
    const fleet = (args: string[]): Promise<CliResult> =>
      runFleet(args, { cwd, env: { DATABASE_URL: database.url, FLEET_PROVIDER_TYPE_MODULES: JSON.stringify([LIBRARY_MODULE]) } });
    const succeeded = (result: CliResult): string => {
      expect(result.code, result.stderr).to.equal(0);
      return result.stdout;
    };

    before(async () => {
      cwd = mkdtempSync(join(tmpdir(), 'fleet-sdk-'));
      database = await createScratchDatabase('fleet_sdk');
    });
    after(async () => {
      await api?.close();
      if (dataSource?.isInitialized) await dataSource.destroy();
      await database.drop();
      rmSync(cwd, { recursive: true, force: true });
    });

    it('is migrated by `fleet migrate` after the fleet\'s own migrations, though its own is older', async () => {
      const timeOf = (name: string): number => Number(/\d+$/.exec(name)?.[0]);
      const fleetMigrations = testEnv().dataSource.migrations.map((m) => m.name ?? '').sort((a, b) => timeOf(a) - timeOf(b));
      expect(timeOf('LibraryTables1700000000000')).to.be.lessThan(timeOf(fleetMigrations[0]));

      expect(succeeded(await fleet(['migrate']))).to.equal(`applied ${[...fleetMigrations, 'LibraryTables1700000000000'].join(', ')}\n`);
      expect(succeeded(await fleet(['migrate']))).to.equal('schema is up to date\n');
    });

    it('is refreshed into its tables, and read back through the inventory API', async () => {
      succeeded(await fleet(['provider', 'add', '--type', 'library', '--name', 'city-library', '--config', 'shelves=2', '--config', 'booksPerShelf=3', '--credential', 'librarian=ada']));
      const outcome = JSON.parse(succeeded(await fleet(['refresh', 'city-library', '--json']))) as RefreshOutcome;
      expect(outcome).to.include({ status: 'ok', scope: 'full', error: null });
      expect(outcome.stats.collections.shelves.created).to.equal(2);
      expect(outcome.stats.collections.books.created).to.equal(6);

      // The data source as every fleet process builds it: with the tables of the configured types.
      const types = withProviderTypeModules([LIBRARY_MODULE]);
      dataSource = createDataSource({ databaseUrl: database.url, poolSize: 2, typeEntities: tablesOfTypes(types).entities });
      await dataSource.initialize();
      api = await ApiFixture.start({ dataSource, redisPrefix: `${testEnv().redisPrefix}-sdk` });

      const catalog = (await api.get('/api/v1/inventory')).json() as { name: string; relations: { name: string; collection: string }[] }[];
      const books = catalog.find((c) => c.name === 'library_books');
      expect(books?.relations).to.deep.include({ name: 'shelf', kind: 'one', collection: 'library_shelves', field: 'shelfId' });
      expect(catalog.map((c) => c.name)).to.include.members(['library_shelves', 'cloud_vms']);

      const page = (await api.get('/api/v1/inventory/library_books?sort=name&fields=name,pages')).json() as { items: Row[] };
      expect(page.items.map((book) => [book.name, book.pages])).to.deep.equal([
        ['Book 1 of shelf 1', 100], ['Book 1 of shelf 2', 100], ['Book 2 of shelf 1', 200], ['Book 2 of shelf 2', 200],
        ['Book 3 of shelf 1', 300], ['Book 3 of shelf 2', 300],
      ]);
      const response = await api.get(`/api/v1/inventory/library_books/${page.items[0].id}`);
      expect(response.statusCode, response.body).to.equal(200);
      const book = response.json() as Row & { relations: { shelf: Row } };
      expect(book).to.include({ name: 'Book 1 of shelf 1', pages: 100 });
      expect(book.relations.shelf).to.include({ name: 'Shelf 1', floor: 1 });
    });
  });
});
