import type { Handler } from '../../types.js';
import { createKeyPair, deleteKeyPair, describeKeyPairs, getPasswordData, importKeyPair } from './keys.js';

/** EC2 operations of this area, merged into the EC2 service by compute/handlers.ts. */
export const keysHandlers: Record<string, Handler> = {
  CreateKeyPair: createKeyPair,
  ImportKeyPair: importKeyPair,
  DescribeKeyPairs: describeKeyPairs,
  DeleteKeyPair: deleteKeyPair,
  GetPasswordData: getPasswordData,
};
