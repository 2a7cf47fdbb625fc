// Members' personal data (身份证号, phone) at rest: sealed with AES-256-GCM (src/channels/secrets.ts) under a key
// that is never in the database, so a dump of it holds no number in clear; and a keyed digest of the 身份证号
// (HMAC-SHA-256 under a key derived from the same secret) that finds a member again on the next import without
// unsealing anything.
//
// The key is ORGLIFE_SECRETS_KEY. Without it (a machine started with `npm start` on embedded defaults) one is
// generated once into the data directory, beside the embedded database and outside it: a production deployment sets
// the variable and keeps the key apart from the database's backups (docs/operations.md).
import { createCipheriv, createHash, createHmac, randomBytes, randomFillSync } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { unseal } from '../channels/secrets.js';
import { maskIdNumber, maskPhone, normalizeIdNumber } from '../domain/members.js';

export interface PersonalDataKey {
  /** Seals a value for storage. */
  seal(plain: string): string;
  /** The value of what `seal` stored. */
  unseal(sealed: string): string;
  /** The digest that identifies a 身份证号 across imports. */
  idDigest(idNumber: string): string;
}

// The secret a key was made from, for the worker threads of a large import (stage-worker.ts), which make the same key.
const secrets = new WeakMap<PersonalDataKey, string>();

/** The secret `key` was made from by personalDataKey; undefined for a key made otherwise. */
export const secretOf = (key: PersonalDataKey): string | undefined => secrets.get(key);

export function personalDataKey(secret: string): PersonalDataKey {
  const digestKey = createHmac('sha256', secret).update('orglife member id digest').digest();
  // The format and key of src/channels/secrets.ts (unseal reads it), with the AES key hashed once, not at every
  // value, and the nonces drawn from the system's CSPRNG a few thousand at a time instead of one system call each:
  // an import of a province's register seals two million values.
  const aesKey = createHash('sha256').update(secret).digest();
  const ivs = Buffer.alloc(12 * 4096);
  let ivAt = ivs.length;
  const key: PersonalDataKey = {
    seal: (plain) => {
      if (ivAt === ivs.length) {
        randomFillSync(ivs);
        ivAt = 0;
      }
      const iv = ivs.subarray(ivAt, ivAt + 12);
      ivAt += 12;
      const c = createCipheriv('aes-256-gcm', aesKey, iv);
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return `v1.${iv.toString('base64url')}.${c.getAuthTag().toString('base64url')}.${body.toString('base64url')}`;
    },
    unseal: (sealed) => unseal(secret, sealed),
    idDigest: (id) => createHmac('sha256', digestKey).update(normalizeIdNumber(id)).digest('base64url'),
  };
  secrets.set(key, secret);
  return key;
}

const loaded = new Map<string, PersonalDataKey>();

/**
 * ORGLIFE_SECRETS_KEY, else the key kept in `<dataDir>/personal-data.key` (created on first use). Read once per
 * process and source: every route plugin and the demo that seal or unseal share it.
 */
export function loadPersonalDataKey(cfg: { ORGLIFE_SECRETS_KEY?: string | undefined; dataDir: string }): PersonalDataKey {
  const source = cfg.ORGLIFE_SECRETS_KEY ? `secret:${cfg.ORGLIFE_SECRETS_KEY}` : `file:${cfg.dataDir}`;
  let key = loaded.get(source);
  if (!key) {
    key = readPersonalDataKey(cfg);
    loaded.set(source, key);
  }
  return key;
}

function readPersonalDataKey(cfg: { ORGLIFE_SECRETS_KEY?: string | undefined; dataDir: string }): PersonalDataKey {
  if (cfg.ORGLIFE_SECRETS_KEY) return personalDataKey(cfg.ORGLIFE_SECRETS_KEY);
  const file = join(cfg.dataDir, 'personal-data.key');
  mkdirSync(cfg.dataDir, { recursive: true });
  // Written whole beside it, then linked into place: processes starting together (a cluster's API members) keep the
  // first one's key, and none reads a key half written.
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(draft, randomBytes(32).toString('base64url'), { mode: 0o600 });
  try {
    linkSync(draft, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(draft);
  }
  return personalDataKey(readFileSync(file, 'utf8').trim());
}

/** The stored columns of a 身份证号 and a phone. */
export function sealPersonalData(key: PersonalDataKey, idNumber: string, phone: string | null) {
  const id = normalizeIdNumber(idNumber);
  return {
    id_number_sealed: key.seal(id),
    id_number_digest: key.idDigest(id),
    id_number_masked: maskIdNumber(id),
    phone_sealed: phone ? key.seal(phone) : null,
    phone_masked: phone ? maskPhone(phone) : null,
  };
}
