import { createHash, createPrivateKey, createPublicKey, KeyObject, sign, verify } from 'node:crypto'
import { z } from 'zod'

// Who may write the records ref is not who may write the default branch: branch protection
// and rulesets guard branches and tags, and anyone who may push any ref may force-push
// refs/docker-size-check/records. So a record counts only when it is signed (Ed25519) by a
// key whose public half is committed on the default branch, at RECORDS_PUBLIC_KEY_PATH, and
// is read from the base commit's own tree: a PR cannot change that file for its own run, and
// whoever cannot push the default branch cannot change it at all. The private key is a secret
// of a GitHub environment that only the default branch may deploy to (docs/trust-model.md).
//
// Each stored file but the content-addressed `paths/` blobs has a signature beside it
// (`<path>.sig`). What is signed is the file's bytes behind a prefix naming the format and
// the file's path, so that a signed file moved to another path (one commit's record under
// another commit's name) does not verify.

/** Where the records' public key (or keys, one PEM block each) is committed. */
export const RECORDS_PUBLIC_KEY_PATH = '.github/docker-size-check-records.pub'
const SIGNATURE_SCHEMA = 'docker-size-check/records-signature@1'

const signatureFile = z.object({
  schema: z.literal(SIGNATURE_SCHEMA),
  key: z.string().regex(/^[0-9a-f]{16}$/),
  signature: z.string().regex(/^[A-Za-z0-9+/]{86}==$/)
})

export function signaturePath(path: string): string {
  return `${path}.sig`
}

/** A key's short name: the first 16 hex digits of the SHA-256 of its public half (SPKI, DER). */
function keyId(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16)
}

function message(path: string, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${SIGNATURE_SCHEMA}\0${path}\0`, 'utf8'), content])
}

/** Signs what a record run writes. */
export class RecordsSigner {
  readonly keyId: string
  private constructor(private readonly key: KeyObject) {
    this.keyId = keyId(key)
  }

  /** From the PEM text of an Ed25519 private key; the error never quotes the text, a secret. */
  static fromPem(pem: string, input = 'records-key'): RecordsSigner {
    let key: KeyObject
    try {
      key = createPrivateKey(pem)
    } catch {
      throw new Error(
        `Invalid ${input}: it is not a private key in PEM form. Expected an Ed25519 key such as ` +
          '`openssl genpkey -algorithm ed25519` writes (-----BEGIN PRIVATE KEY-----), passed from a secret.'
      )
    }
    if (key.asymmetricKeyType !== 'ed25519') {
      throw new Error(
        `Invalid ${input}: it is a ${key.asymmetricKeyType ?? 'unknown'} key; the records are signed with Ed25519 ` +
          '(`openssl genpkey -algorithm ed25519`).'
      )
    }
    return new RecordsSigner(key)
  }

  /** The text of `<path>.sig` for `content` stored at `path`. */
  sign(path: string, content: Buffer | string): string {
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content
    const signature = sign(null, message(path, bytes), this.key).toString('base64')
    return `${JSON.stringify({ schema: SIGNATURE_SCHEMA, key: this.keyId, signature })}\n`
  }
}

/** Checks what a record run wrote against the public keys of a commit the reader trusts. */
export class RecordsVerifier {
  private constructor(
    private readonly keys: Map<string, KeyObject>,
    /** Where the keys came from, for messages: `<path> at <commit>`. */
    readonly source: string
  ) {}

  get keyIds(): string[] {
    return [...this.keys.keys()]
  }

  /**
   * From the text of the public key file: one or more PEM blocks (several while a key is
   * rotated). Throws naming the file where a block is no Ed25519 public key.
   */
  static fromPem(text: string, source: string): RecordsVerifier {
    const blocks = text.match(/-----BEGIN PUBLIC KEY-----[\s\S]*?-----END PUBLIC KEY-----/g) ?? []
    if (blocks.length === 0) throw new Error(`${source} holds no public key (-----BEGIN PUBLIC KEY-----).`)
    const keys = new Map<string, KeyObject>()
    for (const [i, block] of blocks.entries()) {
      let key: KeyObject
      try {
        key = createPublicKey(block)
      } catch {
        throw new Error(`${source}: public key ${i + 1} is not a PEM public key.`)
      }
      if (key.asymmetricKeyType !== 'ed25519') {
        throw new Error(`${source}: public key ${i + 1} is ${key.asymmetricKeyType ?? 'unknown'}, not Ed25519.`)
      }
      keys.set(keyId(key), key)
    }
    return new RecordsVerifier(keys, source)
  }

  /** Whether this verifier would accept what `signer` signs. */
  accepts(signer: RecordsSigner): boolean {
    return this.keys.has(signer.keyId)
  }

  /** Null when `signatureText` is a signature of `content` at `path` by one of the keys; else why not. */
  problem(path: string, content: Buffer, signatureText: string | null): string | null {
    if (signatureText === null) return 'it is not signed'
    let parsed: z.infer<typeof signatureFile>
    try {
      parsed = signatureFile.parse(JSON.parse(signatureText))
    } catch {
      return 'its signature file is malformed'
    }
    const key = this.keys.get(parsed.key)
    if (!key) return `it is signed by key ${parsed.key}, which is not in ${this.source}`
    return verify(null, message(path, content), key, Buffer.from(parsed.signature, 'base64'))
      ? null
      : 'its signature does not match its content'
  }
}
