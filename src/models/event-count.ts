import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Provider } from './provider';

/**
 * How many events of a provider were stored per minute of their time, kept by a trigger on event_streams: "events in
 * the last hour" is then a sum of sixty rows, not a count of every event of a storm. Kept for a day (see purgeEvents).
 */
@Entity('event_counts')
@Index('event_counts_minute_idx', ['minute'])
export class EventCount {
  @PrimaryColumn({ name: 'provider_id', type: 'bigint' })
  providerId!: string;

  @ManyToOne(() => Provider, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'provider_id' })
  provider?: Provider;

  /** The minute the events' timestamps fall in. */
  @PrimaryColumn({ type: 'timestamptz' })
  minute!: Date;

  @Column({ type: 'integer' })
  count!: number;
}
