import { Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { InventoryRecord } from '../inventory-record';
import { CloudSecurityGroup } from './security-group';
import { CloudVm } from './vm';

/** Which security groups a VM is in; identified by the pair, so its manager reference is composite. */
@Entity('cloud_vm_security_groups')
@Index('cloud_vm_security_groups_pair_key', ['vm', 'securityGroup'], { unique: true })
@Index('cloud_vm_security_groups_provider_idx', ['providerId'])
export class CloudVmSecurityGroup extends InventoryRecord {
  @ManyToOne(() => CloudVm, { onDelete: 'CASCADE', nullable: false, deferrable: 'INITIALLY IMMEDIATE' })
  @JoinColumn({ name: 'vm_id' })
  vm!: CloudVm;

  @Index('cloud_vm_security_groups_security_group_idx')
  @ManyToOne(() => CloudSecurityGroup, { onDelete: 'CASCADE', nullable: false, deferrable: 'INITIALLY IMMEDIATE' })
  @JoinColumn({ name: 'security_group_id' })
  securityGroup!: CloudSecurityGroup;
}
