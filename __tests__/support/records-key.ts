// The key pair a repository's record runs sign with, as docs/trust-model.md has a maintainer
// make it: the private half passed as `records-key`, the public half committed on the
// default branch. And another pair, for a writer who is not the default branch.
import { generateKeyPairSync } from 'node:crypto'
import { RECORDS_PUBLIC_KEY_PATH, RecordsSigner, RecordsVerifier } from '../../src/records/signature.js'

function pair(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString()
  }
}

export const RECORDS_KEY = pair()
/** A key nobody committed: what someone who may push the records ref, not the default branch, can sign with. */
export const OTHER_KEY = pair()

/** The public key file, as a repository's default branch holds it. */
export function recordsKeyFile(publicPem = RECORDS_KEY.publicPem): Record<string, string> {
  return { [RECORDS_PUBLIC_KEY_PATH]: publicPem }
}

export const recordsSigner = (key = RECORDS_KEY) => RecordsSigner.fromPem(key.privatePem)
export const recordsVerifier = (key = RECORDS_KEY) => RecordsVerifier.fromPem(key.publicPem, 'the test key')
