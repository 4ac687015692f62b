import { describePartition } from './support/partition-scenario';

// Master cut off from both slaves (network namespaces), slave 1 promoted, network healed: asynchronous replication.
describePartition('asynchronous');
