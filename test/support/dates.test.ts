import { expect } from 'chai';
import { addDays, addMonths } from './dates';
import { testEnv } from './test-env';

describe('test dates', () => {
  it('run in UTC sessions, so SQL date arithmetic does not depend on the server\'s time zone', async () => {
    const [{ zone }] = await testEnv().dataSource.query(`SELECT current_setting('TimeZone') AS zone`);
    expect(zone).to.equal('UTC');
  });

  it('move by months as PostgreSQL does, stopping at the end of a shorter month', async () => {
    const cases: [string, number][] = [
      ['2026-08-31T10:20:30.456Z', -6], ['2026-08-30T00:00:00Z', -6], ['2024-08-31T23:59:59.999Z', -6],
      ['2026-03-31T12:00:00Z', -1], ['2026-03-31T12:00:00Z', -13], ['2024-02-29T08:00:00Z', -12], ['2024-02-29T08:00:00Z', 12],
      ['2024-02-29T08:00:00Z', 48], ['2026-05-31T00:00:00Z', -1], ['2026-01-31T00:00:00Z', 1], ['2026-12-31T00:00:00Z', -6],
      ['2026-10-31T00:00:00Z', -1], ['2027-01-15T06:00:00Z', -25], ['2026-07-01T00:00:00Z', 0],
    ];
    for (const [iso, months] of cases) {
      const [{ moved }] = await testEnv().dataSource.query(`SELECT $1::timestamptz + make_interval(months => $2) AS moved`, [iso, months]);
      expect(addMonths(new Date(iso), months).toISOString(), `${iso} ${months} months`).to.equal((moved as Date).toISOString());
    }
    // The case that JavaScript's own month arithmetic gets wrong, for the record.
    expect(addMonths(new Date('2026-08-31T00:00:00Z'), -6).toISOString()).to.equal('2026-02-28T00:00:00.000Z');
  });

  it('move by days of 24 hours, as interval \'N days\' does in UTC', async () => {
    for (const days of [-1, 1, -400]) {
      const [{ moved }] = await testEnv().dataSource.query(`SELECT $1::timestamptz + make_interval(days => $2) AS moved`, ['2026-03-29T00:30:00Z', days]);
      expect(addDays(new Date('2026-03-29T00:30:00Z'), days).toISOString()).to.equal((moved as Date).toISOString());
    }
  });
});
