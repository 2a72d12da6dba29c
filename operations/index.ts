export { requestOperation, readOperation, type OperationItemResult, type OperationKind, type OperationReport, type OperationRequest } from './operations';
