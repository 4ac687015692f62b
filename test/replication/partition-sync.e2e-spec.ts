import { describePartition } from './support/partition-scenario';

// Master cut off from both slaves (network namespaces), slave 1 promoted, network healed: synchronous replication.
describePartition('synchronous');
